/// A netlink datagram that cannot be read as a sequence of well-formed messages.
///
/// Each case names the byte offset of the message or attribute at fault, so a
/// capture can be matched against the log.
enum NetlinkMessageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer bytes remain than a message header needs.
    case truncatedHeader(offset: Int, available: Int)
    /// A header whose length is smaller than the header itself (zero included).
    case lengthTooSmall(length: Int, offset: Int)
    /// A header whose length reaches past the end of the datagram.
    case lengthPastEnd(length: Int, offset: Int, available: Int)
    /// A message of `type` too short for its fixed body (`ndmsg`, `nlmsgerr`).
    case truncatedBody(type: UInt16, offset: Int, length: Int)
    /// An attribute whose length is below its own header or overruns its message.
    case malformedAttribute(type: UInt16, length: Int, offset: Int)

    var description: String {
        switch self {
        case .truncatedHeader(let offset, let available):
            "netlink header at byte \(offset) is truncated: \(available) bytes left, 16 needed"
        case .lengthTooSmall(let length, let offset):
            "netlink message at byte \(offset) claims \(length) bytes, less than its 16-byte header"
        case .lengthPastEnd(let length, let offset, let available):
            "netlink message at byte \(offset) claims \(length) bytes but only \(available) remain"
        case .truncatedBody(let type, let offset, let length):
            "netlink message of type \(type) at byte \(offset) is too short for its body (\(length) bytes)"
        case .malformedAttribute(let type, let length, let offset):
            "netlink attribute of type \(type) at byte \(offset) has length \(length), outside its message"
        }
    }
}
