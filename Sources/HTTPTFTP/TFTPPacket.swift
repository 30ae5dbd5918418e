public import NIOCore

/// One TFTP packet (RFC 1350, with RFC 2347 options).
public enum TFTPPacket: Hashable, Sendable {
    case readRequest(filename: String, mode: String, options: [TFTPOption])
    case writeRequest(filename: String, mode: String)
    case data(block: UInt16, payload: ByteBuffer)
    case acknowledgement(block: UInt16)
    case error(code: TFTPErrorCode, message: String)
    case optionAcknowledgement([TFTPOption])

    /// The longest request accepted (RFC 2347 keeps requests within 512 octets; we allow some slack).
    public static let maximumRequestSize = 1024

    /// Reads one datagram.
    /// - Throws: ``TFTPPacketError`` naming what is wrong with it.
    public init(parsing buffer: ByteBuffer) throws(TFTPPacketError) {
        var buffer = buffer
        guard let opcode = buffer.readInteger(as: UInt16.self) else { throw .truncated }
        switch opcode {
        case 1, 2:
            guard buffer.readableBytes <= Self.maximumRequestSize else { throw .tooLong }
            var strings: [String] = []
            while buffer.readableBytes > 0 {
                guard let zero = buffer.readableBytesView.firstIndex(of: 0) else { throw .unterminatedString }
                let length = zero - buffer.readerIndex
                strings.append(buffer.readString(length: length)!)
                buffer.moveReaderIndex(forwardBy: 1)
            }
            guard strings.count >= 2, strings.count % 2 == 0, !strings[0].isEmpty else { throw .malformedRequest }
            let mode = strings[1].lowercased()
            guard ["octet", "netascii", "mail"].contains(mode) else { throw .unknownMode(strings[1]) }
            if opcode == 2 {
                self = .writeRequest(filename: strings[0], mode: mode)
            } else {
                let options = stride(from: 2, to: strings.count, by: 2).map { TFTPOption(name: strings[$0].lowercased(), value: strings[$0 + 1]) }
                self = .readRequest(filename: strings[0], mode: mode, options: options)
            }
        case 3:
            guard let block = buffer.readInteger(as: UInt16.self) else { throw .truncated }
            self = .data(block: block, payload: buffer.slice())
        case 4:
            guard let block = buffer.readInteger(as: UInt16.self), buffer.readableBytes == 0 else { throw .truncated }
            self = .acknowledgement(block: block)
        case 5:
            guard let code = buffer.readInteger(as: UInt16.self) else { throw .truncated }
            let text = buffer.readableBytesView.firstIndex(of: 0).map {
                buffer.getString(at: buffer.readerIndex, length: $0 - buffer.readerIndex) ?? ""
            }
            self = .error(code: TFTPErrorCode(rawValue: code) ?? .notDefined, message: text ?? buffer.readString(length: buffer.readableBytes) ?? "")
        case 6:
            var options: [TFTPOption] = []
            var strings: [String] = []
            while buffer.readableBytes > 0 {
                guard let zero = buffer.readableBytesView.firstIndex(of: 0) else { throw .unterminatedString }
                strings.append(buffer.readString(length: zero - buffer.readerIndex)!)
                buffer.moveReaderIndex(forwardBy: 1)
            }
            guard strings.count % 2 == 0 else { throw .malformedRequest }
            for index in stride(from: 0, to: strings.count, by: 2) { options.append(TFTPOption(name: strings[index], value: strings[index + 1])) }
            self = .optionAcknowledgement(options)
        default:
            throw .unknownOpcode(opcode)
        }
    }

    /// Writes the packet in wire format.
    public func encode(into buffer: inout ByteBuffer) {
        func string(_ text: String) {
            buffer.writeString(text)
            buffer.writeInteger(UInt8(0))
        }
        switch self {
        case .readRequest(let filename, let mode, let options):
            buffer.writeInteger(UInt16(1))
            string(filename)
            string(mode)
            for option in options {
                string(option.name)
                string(option.value)
            }
        case .writeRequest(let filename, let mode):
            buffer.writeInteger(UInt16(2))
            string(filename)
            string(mode)
        case .data(let block, var payload):
            buffer.writeInteger(UInt16(3))
            buffer.writeInteger(block)
            buffer.writeBuffer(&payload)
        case .acknowledgement(let block):
            buffer.writeInteger(UInt16(4))
            buffer.writeInteger(block)
        case .error(let code, let message):
            buffer.writeInteger(UInt16(5))
            buffer.writeInteger(code.rawValue)
            string(message)
        case .optionAcknowledgement(let options):
            buffer.writeInteger(UInt16(6))
            for option in options {
                string(option.name)
                string(option.value)
            }
        }
    }
}

/// A `name\0value\0` option pair.
public struct TFTPOption: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// RFC 1350 / 2347 error codes.
public enum TFTPErrorCode: UInt16, Sendable {
    case notDefined = 0
    case fileNotFound = 1
    case accessViolation = 2
    case diskFull = 3
    case illegalOperation = 4
    case unknownTransferID = 5
    case fileExists = 6
    case noSuchUser = 7
    case optionNegotiation = 8
}

/// A datagram that is not a valid TFTP packet.
public enum TFTPPacketError: Error, Hashable, Sendable, CustomStringConvertible {
    case truncated
    case tooLong
    case unterminatedString
    case malformedRequest
    case unknownMode(String)
    case unknownOpcode(UInt16)

    public var description: String {
        switch self {
        case .truncated: "truncated TFTP packet"
        case .tooLong: "TFTP request longer than \(TFTPPacket.maximumRequestSize) bytes"
        case .unterminatedString: "TFTP string without its terminating zero"
        case .malformedRequest: "malformed TFTP request"
        case .unknownMode(let mode): "unknown TFTP mode \(String(reflecting: mode))"
        case .unknownOpcode(let opcode): "unknown TFTP opcode \(opcode)"
        }
    }
}
