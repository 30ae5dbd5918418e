import NIOCore

/// Encodes a complete HTTP/1.1 response (status line, headers, body) into one buffer,
/// so a reply is one allocation, one copy of the body and one write.
enum HTTPResponseWriter {
    struct Status {
        let code: Int
        let line: StaticString

        static let ok = Status(code: 200, line: "HTTP/1.1 200 OK\r\n")
        static let badRequest = Status(code: 400, line: "HTTP/1.1 400 Bad Request\r\n")
        static let forbidden = Status(code: 403, line: "HTTP/1.1 403 Forbidden\r\n")
        static let notFound = Status(code: 404, line: "HTTP/1.1 404 Not Found\r\n")
        static let methodNotAllowed = Status(code: 405, line: "HTTP/1.1 405 Method Not Allowed\r\n")
        static let rangeNotSatisfiable = Status(code: 416, line: "HTTP/1.1 416 Range Not Satisfiable\r\n")
        static let headTooLarge = Status(code: 431, line: "HTTP/1.1 431 Request Header Fields Too Large\r\n")
        static let serviceUnavailable = Status(code: 503, line: "HTTP/1.1 503 Service Unavailable\r\n")
    }

    /// - Parameters:
    ///   - status: The status line.
    ///   - contentType: The `Content-Type` value.
    ///   - body: The body bytes; their length is always announced.
    ///   - includeBody: False for HEAD: the headers describe the body but it is not sent.
    ///   - keepAlive: False adds `Connection: close`.
    ///   - extraHeaders: Further `Name: value` pairs.
    ///   - allocator: The channel's allocator.
    static func encode(
        _ status: Status,
        contentType: String,
        body: UnsafeRawBufferPointer,
        includeBody: Bool,
        keepAlive: Bool,
        extraHeaders: [(String, String)] = [],
        allocator: ByteBufferAllocator
    ) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 160 + contentType.utf8.count + (includeBody ? body.count : 0))
        buffer.writeStaticString(status.line)
        buffer.writeStaticString("Content-Type: ")
        buffer.writeString(contentType)
        buffer.writeStaticString("\r\nContent-Length: ")
        buffer.writeString(String(body.count))
        buffer.writeStaticString("\r\nCache-Control: no-store\r\n")
        if !keepAlive { buffer.writeStaticString("Connection: close\r\n") }
        for (name, value) in extraHeaders {
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("\r\n")
        if includeBody { buffer.writeBytes(body) }
        return buffer
    }
}
