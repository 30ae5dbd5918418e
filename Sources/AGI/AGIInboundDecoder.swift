public import NIOCore

/// Splits the FastAGI byte stream: first the `agi_*` block up to a blank line,
/// then replies (`200 result=...`, `510 ...`, multi-line `520-` ... `520 `) and
/// the unsolicited `HANGUP` line. Lines end in LF; a stray CR is dropped.
/// Bounded by Asterisk's own 8 KiB line buffer and a cap on variables.
public struct AGIInboundDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = AGIInbound

    public static let maximumLineLength = 8 * 1024
    public static let maximumVariables = 256

    private var environment: [String: String]? = [:]
    private var usage: [String] = []

    public init() {}

    public mutating func decode(buffer: inout ByteBuffer) throws -> AGIInbound? {
        while let line = try Self.readLine(&buffer) {
            if var variables = environment {
                if line.isEmpty {
                    environment = nil
                    return .environment(AGIEnvironment(variables: variables))
                }
                guard line.hasPrefix("agi_"), let colon = line.firstIndex(of: ":") else {
                    throw AGIProtocolError.malformedEnvironment(String(line.prefix(120)))
                }
                let name = String(line[line.index(line.startIndex, offsetBy: 4)..<colon])
                var value = line[line.index(after: colon)...]
                if value.first == " " { value.removeFirst() }
                variables[name] = String(value)
                guard variables.count <= Self.maximumVariables else { throw AGIProtocolError.tooManyVariables(Self.maximumVariables) }
                environment = variables
                continue
            }
            if line == "HANGUP" { return .hangup }
            if line.isEmpty { continue }
            if !usage.isEmpty {
                usage.append(line)
                guard usage.count <= Self.maximumVariables else { throw AGIProtocolError.tooManyVariables(Self.maximumVariables) }
                if Self.code(of: line, separator: " ") != nil {
                    defer { usage = [] }
                    return .reply(AGIReply(code: Self.code(of: usage[0], separator: "-")!, result: "", data: nil, lines: usage))
                }
                continue
            }
            if Self.code(of: line, separator: "-") != nil {
                usage = [line]
                continue
            }
            guard let code = Self.code(of: line, separator: " ") else { throw AGIProtocolError.malformedReply(String(line.prefix(120))) }
            return .reply(Self.parseReply(code: code, line: line))
        }
        return nil
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> AGIInbound? {
        let inbound = try decode(buffer: &buffer)
        if inbound == nil { buffer.moveReaderIndex(to: buffer.writerIndex) }
        return inbound
    }

    /// `200 result=1 (5145552255) endpos=1234`: result, data in parentheses, rest ignored.
    static func parseReply(code: Int, line: String) -> AGIReply {
        var rest = line.dropFirst(4)
        var result = ""
        var data: String?
        if rest.hasPrefix("result=") {
            rest = rest.dropFirst(7)
            result = String(rest.prefix { $0 != " " })
            rest = rest.dropFirst(result.count)
            while rest.first == " " { rest.removeFirst() }
            if rest.first == "(", let close = rest.lastIndex(of: ")") {
                data = String(rest[rest.index(after: rest.startIndex)..<close])
            }
        }
        return AGIReply(code: code, result: result, data: data, lines: [line])
    }

    private static func code(of line: String, separator: Character) -> Int? {
        let bytes = Array(line.utf8.prefix(4))
        guard bytes.count == 4, bytes[0...2].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), bytes[3] == separator.asciiValue! else { return nil }
        return Int(String(decoding: bytes[0...2], as: UTF8.self))
    }

    private static func readLine(_ buffer: inout ByteBuffer) throws -> String? {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if view.count > maximumLineLength { throw AGIProtocolError.lineTooLong(maximumLineLength) }
            return nil
        }
        let length = newline - view.startIndex
        guard length <= maximumLineLength else { throw AGIProtocolError.lineTooLong(maximumLineLength) }
        var bytes = buffer.readBytes(length: length + 1)!
        bytes.removeLast()
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Asterisk sent something that is not FastAGI.
public enum AGIProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    case malformedEnvironment(String)
    case malformedReply(String)
    case lineTooLong(Int)
    case tooManyVariables(Int)

    public var description: String {
        switch self {
        case .malformedEnvironment(let line): "malformed AGI environment line \(String(reflecting: line))"
        case .malformedReply(let line): "malformed AGI reply \(String(reflecting: line))"
        case .lineTooLong(let limit): "AGI line longer than \(limit) bytes"
        case .tooManyVariables(let limit): "more than \(limit) AGI lines in one block"
        }
    }
}
