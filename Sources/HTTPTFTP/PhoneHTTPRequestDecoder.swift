import NIOCore

/// Reads HTTP/1.x request heads from a byte stream, one per call.
///
/// Phones only ever send `GET` or `HEAD` without a body, so this decoder reads
/// the head (request line and headers, at most ``maximumHeadSize`` bytes),
/// skips a small `Content-Length` body if a client sends one anyway, and refuses
/// chunked bodies. It is a pure, bounded parser: bytes in, requests out.
struct PhoneHTTPRequestDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = PhoneHTTPRequest

    /// The largest request head accepted.
    static let maximumHeadSize = 16 * 1024
    /// The largest body that is read and thrown away rather than refused.
    static let maximumDiscardedBody = 64 * 1024
    static let maximumHeaders = 100

    private var bodyBytesToSkip = 0

    mutating func decode(buffer: inout ByteBuffer) throws -> PhoneHTTPRequest? {
        if bodyBytesToSkip > 0 {
            let skipped = min(bodyBytesToSkip, buffer.readableBytes)
            buffer.moveReaderIndex(forwardBy: skipped)
            bodyBytesToSkip -= skipped
            if bodyBytesToSkip > 0 { return nil }
        }
        // Tolerate blank lines between requests (RFC 9112 §2.2).
        while let byte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self), byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
            buffer.moveReaderIndex(forwardBy: 1)
        }
        guard let headLength = Self.headLength(buffer) else {
            if buffer.readableBytes > Self.maximumHeadSize { throw PhoneHTTPRequestError.headTooLarge(Self.maximumHeadSize) }
            return nil
        }
        guard headLength <= Self.maximumHeadSize else { throw PhoneHTTPRequestError.headTooLarge(Self.maximumHeadSize) }
        let head = buffer.readSlice(length: headLength)!
        let (request, bodyLength) = try Self.parse(head)
        bodyBytesToSkip = bodyLength
        let skipped = min(bodyBytesToSkip, buffer.readableBytes)
        buffer.moveReaderIndex(forwardBy: skipped)
        bodyBytesToSkip -= skipped
        return request
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> PhoneHTTPRequest? {
        // A head cut off by the peer closing is dropped: there is nobody left to answer.
        let request = try decode(buffer: &buffer)
        if request == nil { buffer.moveReaderIndex(to: buffer.writerIndex) }
        return request
    }

    /// The length of the head including its terminating empty line, once it is complete.
    private static func headLength(_ buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { bytes -> Int? in
            let limit = min(bytes.count, maximumHeadSize + 4)
            var index = 0
            while index < limit {
                if bytes[index] == UInt8(ascii: "\n") {
                    // "\n\n" or "\n\r\n" ends the head.
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") { return index + 2 }
                    if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "\r"), bytes[index + 2] == UInt8(ascii: "\n") { return index + 3 }
                }
                index += 1
            }
            return nil
        }
    }

    private static func parse(_ head: ByteBuffer) throws -> (PhoneHTTPRequest, Int) {
        // Everything is matched on bytes: request heads are ASCII, and String's Unicode
        // machinery (where "\r\n" is one Character) is both slower and wrong here.
        let bytes = head.readableBytesView
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).lazy.map { line in
            line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        }.makeIterator()
        guard let requestLine = lines.next() else { throw PhoneHTTPRequestError.malformedRequestLine("") }
        let parts = requestLine.split(separator: UInt8(ascii: " "), maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].count <= 16, parts[0].allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }),
            !parts[1].isEmpty, parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7f })
        else {
            throw PhoneHTTPRequestError.malformedRequestLine(String(decoding: requestLine.prefix(200), as: UTF8.self))
        }
        let minorVersion: Int
        if parts[2].elementsEqual("HTTP/1.1".utf8) {
            minorVersion = 1
        } else if parts[2].elementsEqual("HTTP/1.0".utf8) {
            minorVersion = 0
        } else {
            throw PhoneHTTPRequestError.unsupportedVersion(String(decoding: parts[2].prefix(20), as: UTF8.self))
        }
        var request = PhoneHTTPRequest(
            method: String(decoding: parts[0], as: UTF8.self), target: String(decoding: parts[1], as: UTF8.self), minorVersion: minorVersion,
            keepAlive: minorVersion == 1
        )
        var bodyLength = 0
        var count = 0
        while let line = lines.next() {
            if line.isEmpty { continue }
            count += 1
            guard count <= maximumHeaders, let colon = line.firstIndex(of: UInt8(ascii: ":")), colon != line.startIndex,
                !line[line.startIndex..<colon].contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            else {
                throw PhoneHTTPRequestError.malformedHeader(String(decoding: line.prefix(200), as: UTF8.self))
            }
            let name = line[line.startIndex..<colon]
            let value = line[(colon + 1)..<line.endIndex].trimmingBlanks()
            if name.equalsIgnoringCase("user-agent") {
                request.userAgent = String(decoding: value, as: UTF8.self)
            } else if name.equalsIgnoringCase("connection") {
                let tokens = value.split(separator: UInt8(ascii: ",")).map { $0.trimmingBlanks() }
                if tokens.contains(where: { $0.equalsIgnoringCase("close") }) {
                    request.keepAlive = false
                } else if tokens.contains(where: { $0.equalsIgnoringCase("keep-alive") }) {
                    request.keepAlive = true
                }
            } else if name.equalsIgnoringCase("content-length") {
                let text = String(decoding: value, as: UTF8.self)
                guard let length = Int(text), length >= 0, length <= maximumDiscardedBody, bodyLength == 0 || bodyLength == length else {
                    throw PhoneHTTPRequestError.bodyNotAllowed("Content-Length \(String(reflecting: String(text.prefix(40)))) refused")
                }
                bodyLength = length
            } else if name.equalsIgnoringCase("range") {
                request.range = String(decoding: value, as: UTF8.self)
            } else if name.equalsIgnoringCase("if-none-match") {
                request.ifNoneMatch = String(decoding: value, as: UTF8.self)
            } else if name.equalsIgnoringCase("x-forwarded-for") {
                let last = value.split(separator: UInt8(ascii: ",")).last?.trimmingBlanks() ?? value[...]
                request.forwardedFor = last.count <= 64 ? String(decoding: last, as: UTF8.self) : nil
            } else if name.equalsIgnoringCase("transfer-encoding") {
                throw PhoneHTTPRequestError.bodyNotAllowed("Transfer-Encoding bodies are not accepted")
            }
        }
        return (request, bodyLength)
    }
}

extension ByteBufferView {
    fileprivate func trimmingBlanks() -> Self {
        var result = self
        while result.first == UInt8(ascii: " ") || result.first == UInt8(ascii: "\t") { result.removeFirst() }
        while result.last == UInt8(ascii: " ") || result.last == UInt8(ascii: "\t") { result.removeLast() }
        return result
    }

    /// Compares with a lowercase ASCII name, ignoring the case of ASCII letters.
    fileprivate func equalsIgnoringCase(_ lowercase: StaticString) -> Bool {
        guard count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { expected in
            zip(self, expected).allSatisfy { byte, want in
                (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte) == want
            }
        }
    }
}
