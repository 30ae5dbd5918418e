/// A SIP request or response read from one datagram (RFC 3261 §7), headers kept in order.
public struct SIPMessage: Hashable, Sendable {
    public enum StartLine: Hashable, Sendable {
        case request(method: String, uri: String)
        case response(code: Int, reason: String)
    }

    public var startLine: StartLine
    /// Headers with their full names (compact forms expanded), in order.
    public var headers: [(name: String, value: String)]
    public var body: String

    /// The largest datagram accepted.
    public static let maximumSize = 8 * 1024

    /// RFC 3261 §7.3.3 compact header names.
    static let compactNames: [String: String] = [
        "v": "Via", "f": "From", "t": "To", "i": "Call-ID", "m": "Contact", "l": "Content-Length", "c": "Content-Type",
        "e": "Content-Encoding", "o": "Event", "s": "Subject", "k": "Supported",
    ]

    public init(startLine: StartLine, headers: [(name: String, value: String)], body: String = "") {
        self.startLine = startLine
        self.headers = headers
        self.body = body
    }

    /// Parses one datagram.
    /// - Throws: ``SIPParseError`` naming what is wrong.
    public init(parsing bytes: [UInt8]) throws(SIPParseError) {
        guard bytes.count <= Self.maximumSize else { throw .tooLarge(bytes.count) }
        guard !bytes.contains(0) else { throw .notText }
        // Split on bytes: in a Swift String "\r\n" is one Character and would not split on "\n".
        // The header block ends at the first empty line; lines end in CRLF (bare LF tolerated).
        var lines: [Substring] = []
        var body = ""
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            var lineBytes = bytes[start..<end]
            start = end + 1
            if lineBytes.last == UInt8(ascii: "\r") { lineBytes = lineBytes.dropLast() }
            if lineBytes.isEmpty {
                body = start < bytes.count ? String(decoding: bytes[start...], as: UTF8.self) : ""
                break
            }
            let line = Substring(String(decoding: lineBytes, as: UTF8.self))
            if let first = line.first, first == " " || first == "\t", !lines.isEmpty {
                lines[lines.count - 1] = lines[lines.count - 1] + " " + line.drop { $0 == " " || $0 == "\t" }
            } else {
                lines.append(line)
            }
        }
        guard let first = lines.first else { throw .empty }
        let parts = first.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        if parts.first == "SIP/2.0" {
            guard parts.count >= 2, let code = Int(parts[1]), (100...699).contains(code) else { throw .malformedStartLine(String(first.prefix(80))) }
            startLine = .response(code: code, reason: parts.count > 2 ? String(parts[2]) : "")
        } else {
            guard parts.count == 3, parts[2] == "SIP/2.0", parts[0].allSatisfy({ $0.isASCII && $0.isUppercase }) else {
                throw .malformedStartLine(String(first.prefix(80)))
            }
            startLine = .request(method: String(parts[0]), uri: String(parts[1]))
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw .malformedHeader(String(line.prefix(80))) }
            var name = line[..<colon].trimmingBlanks()
            guard !name.isEmpty, !name.contains(" ") else { throw .malformedHeader(String(line.prefix(80))) }
            if name.count == 1, let full = Self.compactNames[name.lowercased()] { name = Substring(full) }
            headers.append((String(name), String(line[line.index(after: colon)...].trimmingBlanks())))
            guard headers.count <= 100 else { throw .tooManyHeaders }
        }
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, any case.
    public subscript(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every value of a header, in order (`Via` may repeat).
    public func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The message as it goes on the wire, with CRLF line ends and a correct Content-Length.
    public var serialized: String {
        var out: String
        switch startLine {
        case .request(let method, let uri): out = "\(method) \(uri) SIP/2.0\r\n"
        case .response(let code, let reason): out = "SIP/2.0 \(code) \(reason)\r\n"
        }
        for header in headers where header.name.lowercased() != "content-length" {
            out += "\(header.name): \(header.value)\r\n"
        }
        out += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        return out
    }

    public static func == (lhs: SIPMessage, rhs: SIPMessage) -> Bool {
        lhs.serialized == rhs.serialized
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(serialized)
    }
}

/// A datagram that is not a SIP message this listener can read.
public enum SIPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    case empty
    case tooLarge(Int)
    case notText
    case malformedStartLine(String)
    case malformedHeader(String)
    case tooManyHeaders

    public var description: String {
        switch self {
        case .empty: "empty datagram"
        case .tooLarge(let size): "datagram of \(size) bytes is larger than \(SIPMessage.maximumSize)"
        case .notText: "datagram holds binary data"
        case .malformedStartLine(let line): "not a SIP start line: \(String(reflecting: line))"
        case .malformedHeader(let line): "malformed SIP header \(String(reflecting: line))"
        case .tooManyHeaders: "more than 100 SIP headers"
        }
    }
}

extension Substring {
    func trimmingBlanks() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
