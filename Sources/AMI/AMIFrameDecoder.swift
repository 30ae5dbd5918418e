public import NIOCore

/// Splits the AMI byte stream into the banner and messages.
///
/// Facts it follows (Asterisk `main/manager.c`): the banner is one line with no
/// blank line after it; a message is `Key: Value` lines ended by an empty line;
/// the server writes CRLF but bare LF must be accepted; an error text may end in
/// a literal `\n` before the line's CRLF (`Message: No endpoints found\n\r\n\r\n`),
/// so a lone `\r` right after a bare-LF line ends that line rather than the
/// message; a legacy `Response: Follows` carries raw text until `--END COMMAND--`.
/// Lines and messages are capped so a hostile peer cannot exhaust memory.
public struct AMIFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = AMIFrame

    /// The longest line accepted.
    public static let maximumLineLength = 64 * 1024
    /// The most lines one message may have.
    public static let maximumLines = 4096

    private var expectsBanner: Bool
    private var lines: [(name: String, value: String)] = []
    private var output: [String] = []
    private var inFollows = false
    private var previousEndedBare = false

    /// - Parameter expectsBanner: True on the client side, where the first line is the banner.
    public init(expectsBanner: Bool = true) {
        self.expectsBanner = expectsBanner
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> AMIFrame? {
        while let (line, endedBare) = try readLine(&buffer) {
            defer { previousEndedBare = endedBare }
            if expectsBanner {
                expectsBanner = false
                let prefix = "Asterisk Call Manager/"
                guard line.hasPrefix(prefix) else { throw AMIProtocolError.notAnAMIServer(String(line.prefix(80))) }
                return .banner(version: String(line.dropFirst(prefix.count)))
            }
            if inFollows {
                if output.isEmpty, let colon = line.firstIndex(of: ":"), ["privilege", "actionid"].contains(line[..<colon].lowercased()) {
                    // Before the raw text, the reply still carries its own headers.
                    lines.append((String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " })))
                    continue
                }
                if line.hasSuffix("--END COMMAND--") {
                    let rest = line.dropLast("--END COMMAND--".count)
                    if !rest.isEmpty { output.append(String(rest)) }
                    inFollows = false
                    // The blank line after the marker ends the message as usual.
                } else {
                    output.append(line)
                    try checkSize()
                }
                continue
            }
            if line.isEmpty {
                // "\n" then "\r\n": the value ended in a literal line break; not a message end.
                if previousEndedBare && lastRawWasCR { continue }
                guard !lines.isEmpty || !output.isEmpty else { continue }
                let message = AMIMessage(lines, output: output)
                lines = []
                output = []
                return .message(message)
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw AMIProtocolError.malformedLine(String(line.prefix(120)))
            }
            let name = String(line[..<colon])
            var value = line[line.index(after: colon)...]
            while value.first == " " || value.first == "\t" { value.removeFirst() }
            lines.append((name, String(value)))
            try checkSize()
            if lines.count == 1, name.lowercased() == "response", value.lowercased() == "follows" { inFollows = true }
        }
        return nil
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> AMIFrame? {
        // A message cut off by the connection closing is dropped, never half-delivered.
        let frame = try decode(buffer: &buffer)
        if frame == nil {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            lines = []
            output = []
        }
        return frame
    }

    private var lastRawWasCR = false

    private func checkSize() throws {
        if lines.count + output.count > Self.maximumLines { throw AMIProtocolError.messageTooLarge(Self.maximumLines) }
    }

    /// One line without its terminator, and whether it ended in a bare LF.
    private mutating func readLine(_ buffer: inout ByteBuffer) throws -> (String, Bool)? {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if view.count > Self.maximumLineLength { throw AMIProtocolError.lineTooLong(Self.maximumLineLength) }
            return nil
        }
        let length = newline - view.startIndex
        guard length <= Self.maximumLineLength else { throw AMIProtocolError.lineTooLong(Self.maximumLineLength) }
        var bytes = buffer.readBytes(length: length + 1)!
        bytes.removeLast()
        let hadCR = bytes.last == UInt8(ascii: "\r")
        if hadCR { bytes.removeLast() }
        lastRawWasCR = hadCR && bytes.isEmpty
        return (String(decoding: bytes, as: UTF8.self), !hadCR)
    }
}

/// The AMI peer sent something this client cannot accept.
public enum AMIProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    case notAnAMIServer(String)
    case malformedLine(String)
    case lineTooLong(Int)
    case messageTooLarge(Int)

    public var description: String {
        switch self {
        case .notAnAMIServer(let line): "not an Asterisk manager interface: banner was \(String(reflecting: line))"
        case .malformedLine(let line): "malformed AMI line \(String(reflecting: line))"
        case .lineTooLong(let limit): "AMI line longer than \(limit) bytes"
        case .messageTooLarge(let limit): "AMI message with more than \(limit) lines"
        }
    }
}
