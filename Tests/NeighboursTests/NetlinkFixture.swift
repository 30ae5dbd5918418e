@testable import Neighbours

/// Builds netlink messages byte by byte, in host order as the kernel writes them, for tests without a socket.
enum NetlinkFixture {
    static let newNeighbour: UInt16 = 28
    static let deleteNeighbour: UInt16 = 29

    /// A whole message: the 16-byte header, then `body`, padded to 4 bytes unless `pad` is false.
    /// - Parameter length: The length written in the header, when a test wants it to lie.
    static func message(
        type: UInt16, flags: UInt16 = 0, sequence: UInt32 = 0, portID: UInt32 = 0, body: [UInt8], length: UInt32? = nil, pad: Bool = true
    ) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.append(native: length ?? UInt32(16 + body.count))
        bytes.append(native: type)
        bytes.append(native: flags)
        bytes.append(native: sequence)
        bytes.append(native: portID)
        bytes += body
        if pad { bytes += padding(body.count) }
        return bytes
    }

    /// An `RTM_NEWNEIGH` (or `RTM_DELNEIGH`) with an `ndmsg` and the given attributes.
    static func neighbour(
        type: UInt16 = newNeighbour, family: UInt8, interfaceIndex: Int32 = 3, state: UInt16, flags: UInt8 = 0, destination: [UInt8]?,
        linkLayer: [UInt8]?, sequence: UInt32 = 0, portID: UInt32 = 0
    ) -> [UInt8] {
        var body = ndmsg(family: family, interfaceIndex: interfaceIndex, state: state, flags: flags)
        if let destination { body += attribute(type: 1, destination) }
        if let linkLayer { body += attribute(type: 2, linkLayer) }
        return message(type: type, sequence: sequence, portID: portID, body: body)
    }

    /// `struct ndmsg`: family, three pad bytes, ifindex, state, flags, type (RTN_UNICAST).
    static func ndmsg(family: UInt8, interfaceIndex: Int32, state: UInt16, flags: UInt8 = 0) -> [UInt8] {
        var bytes: [UInt8] = [family, 0, 0, 0]
        bytes.append(native: interfaceIndex)
        bytes.append(native: state)
        bytes += [flags, 1]
        return bytes
    }

    /// One `rtattr` and its padding.
    static func attribute(type: UInt16, _ value: [UInt8], length: UInt16? = nil) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.append(native: length ?? UInt16(4 + value.count))
        bytes.append(native: type)
        return bytes + value + padding(value.count)
    }

    static func done(sequence: UInt32, portID: UInt32, errno: Int32 = 0) -> [UInt8] {
        var body: [UInt8] = []
        body.append(native: -errno)
        return message(type: 3, flags: 2, sequence: sequence, portID: portID, body: body)
    }

    /// `NLMSG_ERROR` with the failed request's header after the error code, as the kernel sends it.
    static func error(errno: Int32, sequence: UInt32, portID: UInt32) -> [UInt8] {
        var body: [UInt8] = []
        body.append(native: -errno)
        body += message(type: 30, flags: 0x301, sequence: sequence, portID: portID, body: [])
        return message(type: 2, sequence: sequence, portID: portID, body: body)
    }

    static func padding(_ count: Int) -> [UInt8] {
        [UInt8](repeating: 0, count: (4 - count % 4) % 4)
    }
}

extension [UInt8] {
    mutating func append<Integer: FixedWidthInteger>(native value: Integer) {
        Swift.withUnsafeBytes(of: value) { append(contentsOf: $0) }
    }
}

/// A small deterministic generator, so a failing mutation can be replayed from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var value = state
        value = (value ^ (value >> 30)) &* 0xbf58_476d_1ce4_e5b9
        value = (value ^ (value >> 27)) &* 0x94d0_49bb_1331_11eb
        return value ^ (value >> 31)
    }
}

extension NetlinkRecord.Content {
    /// The neighbour message, if this is one.
    var neighbour: NeighbourMessage? {
        if case .neighbour(let message) = self { return message }
        return nil
    }
}
