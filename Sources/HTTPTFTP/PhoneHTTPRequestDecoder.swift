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
        try head.withUnsafeReadableBytes { try parse(HeadBytes(bytes: $0)) }
    }

    // Everything is matched on bytes, by index: request heads are ASCII, String's Unicode
    // machinery (where "\r\n" is one Character) is both slower and wrong here, and
    // indexes into the one buffer keep the only allocations to the strings the request keeps.
    private static func parse(_ head: HeadBytes) throws -> (PhoneHTTPRequest, Int) {
        var lines = head.lines()
        guard let requestLine = lines.next() else { throw PhoneHTTPRequestError.malformedRequestLine("") }
        guard let firstSpace = head.firstIndex(of: UInt8(ascii: " "), in: requestLine),
            let secondSpace = head.firstIndex(of: UInt8(ascii: " "), in: (firstSpace + 1)..<requestLine.upperBound)
        else {
            throw PhoneHTTPRequestError.malformedRequestLine(head.string(requestLine, limit: 200))
        }
        let method = requestLine.lowerBound..<firstSpace
        let target = (firstSpace + 1)..<secondSpace
        let version = (secondSpace + 1)..<requestLine.upperBound
        guard !method.isEmpty, method.count <= 16, head.all(in: method, { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }),
            !target.isEmpty, head.all(in: target, { $0 > 0x20 && $0 < 0x7f }),
            head.firstIndex(of: UInt8(ascii: " "), in: version) == nil
        else {
            throw PhoneHTTPRequestError.malformedRequestLine(head.string(requestLine, limit: 200))
        }
        let minorVersion: Int
        if head.equals(version, "HTTP/1.1") {
            minorVersion = 1
        } else if head.equals(version, "HTTP/1.0") {
            minorVersion = 0
        } else {
            throw PhoneHTTPRequestError.unsupportedVersion(head.string(version, limit: 20))
        }
        var request = PhoneHTTPRequest(
            method: head.string(method), target: head.string(target), minorVersion: minorVersion, keepAlive: minorVersion == 1
        )
        var bodyLength = 0
        var count = 0
        while let line = lines.next() {
            count += 1
            guard count <= maximumHeaders, let colon = head.firstIndex(of: UInt8(ascii: ":"), in: line), colon != line.lowerBound,
                head.all(in: line.lowerBound..<colon, { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") })
            else {
                throw PhoneHTTPRequestError.malformedHeader(head.string(line, limit: 200))
            }
            let name = line.lowerBound..<colon
            let value = head.trimmingBlanks((colon + 1)..<line.upperBound)
            // The first letter rules out most headers (Host, Accept) without a comparison.
            switch head[name.lowerBound] | 0x20 {
            case UInt8(ascii: "u") where head.equalsIgnoringCase(name, "user-agent"):
                request.userAgent = head.string(value)
            case UInt8(ascii: "c") where head.equalsIgnoringCase(name, "connection"):
                var sawClose = false
                var sawKeepAlive = false
                head.forEachPart(of: value, separatedBy: UInt8(ascii: ",")) { token in
                    let token = head.trimmingBlanks(token)
                    if head.equalsIgnoringCase(token, "close") { sawClose = true }
                    if head.equalsIgnoringCase(token, "keep-alive") { sawKeepAlive = true }
                }
                if sawClose {
                    request.keepAlive = false
                } else if sawKeepAlive {
                    request.keepAlive = true
                }
            case UInt8(ascii: "c") where head.equalsIgnoringCase(name, "content-length"):
                let text = head.string(value)
                guard let length = Int(text), length >= 0, length <= maximumDiscardedBody, bodyLength == 0 || bodyLength == length else {
                    throw PhoneHTTPRequestError.bodyNotAllowed("Content-Length \(String(reflecting: String(text.prefix(40)))) refused")
                }
                bodyLength = length
            case UInt8(ascii: "r") where head.equalsIgnoringCase(name, "range"):
                request.range = head.string(value)
            case UInt8(ascii: "i") where head.equalsIgnoringCase(name, "if-none-match"):
                request.ifNoneMatch = head.string(value)
            case UInt8(ascii: "x") where head.equalsIgnoringCase(name, "x-forwarded-for"):
                var last = value
                head.forEachPart(of: value, separatedBy: UInt8(ascii: ",")) { last = $0 }
                last = head.trimmingBlanks(last)
                request.forwardedFor = last.count <= 64 ? head.string(last) : nil
            case UInt8(ascii: "t") where head.equalsIgnoringCase(name, "transfer-encoding"):
                throw PhoneHTTPRequestError.bodyNotAllowed("Transfer-Encoding bodies are not accepted")
            default:
                break
            }
        }
        return (request, bodyLength)
    }
}

/// A request head's bytes, read by index ranges.
private struct HeadBytes {
    let bytes: UnsafeRawBufferPointer

    subscript(_ index: Int) -> UInt8 { bytes[index] }

    /// The head's lines without their line ends (`\n` or `\r\n`), empty ones left out.
    func lines() -> Lines { Lines(bytes: bytes) }

    struct Lines: IteratorProtocol {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        mutating func next() -> Range<Int>? {
            while position < bytes.count {
                let start = position
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                position = end + 1
                if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                if end > start { return start..<end }
            }
            return nil
        }
    }

    func firstIndex(of byte: UInt8, in range: Range<Int>) -> Int? {
        var index = range.lowerBound
        while index < range.upperBound {
            if bytes[index] == byte { return index }
            index += 1
        }
        return nil
    }

    func all(in range: Range<Int>, _ predicate: (UInt8) -> Bool) -> Bool {
        for index in range where !predicate(bytes[index]) { return false }
        return true
    }

    /// Calls `body` with each non-empty part between separators, in order, as `split(separator:)` gives them.
    func forEachPart(of range: Range<Int>, separatedBy separator: UInt8, _ body: (Range<Int>) -> Void) {
        var start = range.lowerBound
        while let separatorIndex = firstIndex(of: separator, in: start..<range.upperBound) {
            if separatorIndex > start { body(start..<separatorIndex) }
            start = separatorIndex + 1
        }
        if range.upperBound > start { body(start..<range.upperBound) }
    }

    func trimmingBlanks(_ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, bytes[lower] == UInt8(ascii: " ") || bytes[lower] == UInt8(ascii: "\t") { lower += 1 }
        while upper > lower, bytes[upper - 1] == UInt8(ascii: " ") || bytes[upper - 1] == UInt8(ascii: "\t") { upper -= 1 }
        return lower..<upper
    }

    func string(_ range: Range<Int>, limit: Int = .max) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range.lowerBound..<(range.lowerBound + min(range.count, limit))]), as: UTF8.self)
    }

    func equals(_ range: Range<Int>, _ expected: StaticString) -> Bool {
        guard range.count == expected.utf8CodeUnitCount else { return false }
        return expected.withUTF8Buffer { expected in
            for (offset, position) in range.enumerated() where bytes[position] != expected[offset] { return false }
            return true
        }
    }

    /// Compares with a lowercase ASCII name, ignoring the case of ASCII letters.
    func equalsIgnoringCase(_ range: Range<Int>, _ lowercase: StaticString) -> Bool {
        guard range.count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { expected in
            for (offset, position) in range.enumerated() {
                let byte = bytes[position]
                if (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte) != expected[offset] { return false }
            }
            return true
        }
    }
}
