import Provisioning

/// One message of a netlink datagram on a `NETLINK_ROUTE` socket, as far as the neighbour table cares.
///
/// The kernel packs several messages into one datagram (a dump comes in pages
/// of them, ending in `NLMSG_DONE`); ``parse(_:)`` splits a datagram into
/// these, and ``neighbourDumpRequest(sequence:)`` writes the one request sent.
/// Integers are in host order, as netlink carries them.
struct NetlinkRecord: Hashable, Sendable {
    /// What the message said.
    enum Content: Hashable, Sendable {
        /// An `RTM_NEWNEIGH` or `RTM_DELNEIGH` for an IPv4 or IPv6 entry.
        case neighbour(NeighbourMessage)
        /// `NLMSG_DONE`: the end of a dump; `errno` is non-zero when the dump failed part way.
        case done(errno: Int32)
        /// `NLMSG_ERROR`: `errno` is zero for an acknowledgement.
        case error(errno: Int32)
        /// `NLMSG_OVERRUN`: the kernel dropped data.
        case overrun
        /// Anything else: another message type, or a neighbour entry of another family (bridge FDB) or without an address.
        case ignored(type: UInt16)
    }

    /// `nlmsg_seq`: the request this message answers, or the requester's sequence for a notification.
    var sequence: UInt32
    /// `nlmsg_pid`: the port the message answers; a dump reply carries the requesting socket's port.
    var portID: UInt32
    var content: Content

    static let headerLength = 16
    /// `NLMSG_ERROR`, `NLMSG_DONE`, `NLMSG_OVERRUN` (linux/netlink.h).
    static let errorType: UInt16 = 2
    static let doneType: UInt16 = 3
    static let overrunType: UInt16 = 4
    /// `RTM_NEWNEIGH`, `RTM_DELNEIGH`, `RTM_GETNEIGH` (linux/rtnetlink.h).
    static let newNeighbourType: UInt16 = 28
    static let deleteNeighbourType: UInt16 = 29
    static let getNeighbourType: UInt16 = 30
    /// `NLM_F_REQUEST | NLM_F_DUMP` (`NLM_F_ROOT | NLM_F_MATCH`).
    static let dumpRequestFlags: UInt16 = 0x0001 | 0x0100 | 0x0200
    /// `sizeof(struct ndmsg)`.
    static let neighbourBodyLength = 12
    static let attributeHeaderLength = 4
    /// `NDA_DST`, `NDA_LLADDR` (linux/neighbour.h).
    static let destinationAttribute: UInt16 = 1
    static let linkLayerAttribute: UInt16 = 2

    /// Splits one datagram into its messages.
    ///
    /// Every length is checked against what remains before it is used, and every
    /// step moves forward by at least a header, so no input loops or reads out of bounds.
    /// - Parameter bytes: The datagram as received.
    /// - Returns: The messages in order; malformed content inside a known message is refused, not skipped.
    /// - Throws: ``NetlinkMessageError`` naming the offset of the first message or attribute at fault.
    static func parse(_ bytes: [UInt8]) throws(NetlinkMessageError) -> [NetlinkRecord] {
        var records: [NetlinkRecord] = []
        var offset = 0
        while offset < bytes.count {
            let available = bytes.count - offset
            guard available >= headerLength else { throw .truncatedHeader(offset: offset, available: available) }
            let length = Int(bytes.load(UInt32.self, at: offset))
            guard length >= headerLength else { throw .lengthTooSmall(length: length, offset: offset) }
            guard length <= available else { throw .lengthPastEnd(length: length, offset: offset, available: available) }
            let type = bytes.load(UInt16.self, at: offset + 4)
            let sequence = bytes.load(UInt32.self, at: offset + 8)
            let portID = bytes.load(UInt32.self, at: offset + 12)
            let body = (offset + headerLength)..<(offset + length)
            let content: Content
            switch type {
            case doneType:
                // Older kernels send no body; newer ones an int that is negative when the dump failed.
                content = .done(errno: body.count >= 4 ? 0 &- bytes.load(Int32.self, at: body.lowerBound) : 0)
            case errorType:
                guard body.count >= 4 else { throw .truncatedBody(type: type, offset: offset, length: length) }
                content = .error(errno: 0 &- bytes.load(Int32.self, at: body.lowerBound))
            case overrunType:
                content = .overrun
            case newNeighbourType, deleteNeighbourType:
                content = try neighbour(bytes, body: body, type: type, offset: offset)
            default:
                content = .ignored(type: type)
            }
            records.append(NetlinkRecord(sequence: sequence, portID: portID, content: content))
            // Messages start on 4-byte boundaries; the last one may lack its padding.
            offset += (length + 3) & ~3
        }
        return records
    }

    /// Reads the `ndmsg` and its attributes in `body`.
    private static func neighbour(_ bytes: [UInt8], body: Range<Int>, type: UInt16, offset: Int) throws(NetlinkMessageError) -> Content {
        guard body.count >= neighbourBodyLength else { throw .truncatedBody(type: type, offset: offset, length: body.count + headerLength) }
        let family: NeighbourMessage.Family
        switch bytes[body.lowerBound] {
        case 2: family = .ipv4  // AF_INET
        case 10: family = .ipv6  // AF_INET6
        default: return .ignored(type: type)
        }
        let interfaceIndex = bytes.load(Int32.self, at: body.lowerBound + 4)
        let state = NeighbourState(rawValue: bytes.load(UInt16.self, at: body.lowerBound + 8))
        let flags = bytes[body.lowerBound + 10]
        var destination: [UInt8]?
        var linkLayerAddress: MACAddress?
        var cursor = body.lowerBound + neighbourBodyLength
        // A tail shorter than an attribute header is padding, as the kernel's own RTA_OK treats it.
        while body.upperBound - cursor >= attributeHeaderLength {
            let attributeLength = Int(bytes.load(UInt16.self, at: cursor))
            // The top two bits are the nested and byte-order flags, not part of the type.
            let attributeType = bytes.load(UInt16.self, at: cursor + 2) & 0x3fff
            guard attributeLength >= attributeHeaderLength, attributeLength <= body.upperBound - cursor else {
                throw .malformedAttribute(type: attributeType, length: attributeLength, offset: cursor)
            }
            let value = (cursor + attributeHeaderLength)..<(cursor + attributeLength)
            switch attributeType {
            case destinationAttribute:
                destination = Array(bytes[value])
            case linkLayerAttribute where value.count == 6:
                linkLayerAddress = MACAddress(bytes: bytes[value])
            default:
                break
            }
            cursor += (attributeLength + 3) & ~3
        }
        guard let destination, destination.count == family.addressLength else { return .ignored(type: type) }
        return .neighbour(
            NeighbourMessage(
                change: type == deleteNeighbourType ? .deleted : .updated, family: family, interfaceIndex: interfaceIndex, state: state, flags: flags,
                destination: destination, linkLayerAddress: linkLayerAddress
            ))
    }

    /// The `RTM_GETNEIGH` dump request for every family's table: a header and an all-zero `ndmsg` (`AF_UNSPEC`).
    /// - Parameter sequence: The sequence number the replies will carry.
    static func neighbourDumpRequest(sequence: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headerLength + neighbourBodyLength)
        bytes.append(native: UInt32(headerLength + neighbourBodyLength))
        bytes.append(native: getNeighbourType)
        bytes.append(native: dumpRequestFlags)
        bytes.append(native: sequence)
        // Port 0: the kernel fills in the sender's own.
        bytes.append(native: UInt32(0))
        bytes.append(contentsOf: repeatElement(0, count: neighbourBodyLength))
        return bytes
    }
}

extension [UInt8] {
    /// The integer at `offset` in host order; the caller has checked the bounds.
    fileprivate func load<Integer: FixedWidthInteger>(_: Integer.Type, at offset: Int) -> Integer {
        withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Integer.self) }
    }

    fileprivate mutating func append<Integer: FixedWidthInteger>(native value: Integer) {
        Swift.withUnsafeBytes(of: value) { append(contentsOf: $0) }
    }
}

extension MACAddress {
    /// The address of six raw bytes, or nil for all zeros, which the kernel reports for devices without one (loopback).
    fileprivate init?(bytes: ArraySlice<UInt8>) {
        guard bytes.count == 6, bytes.contains(where: { $0 != 0 }) else { return nil }
        let hex = Array("0123456789abcdef".utf8)
        var digits: [UInt8] = []
        digits.reserveCapacity(12)
        for byte in bytes {
            digits.append(hex[Int(byte >> 4)])
            digits.append(hex[Int(byte & 0x0f)])
        }
        guard let address = try? MACAddress(parsing: String(decoding: digits, as: UTF8.self)) else { return nil }
        self = address
    }
}
