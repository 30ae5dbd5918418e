import Provisioning
import Testing

@testable import Neighbours

/// The netlink codec on hand-built datagrams: every state the cache cares about, several messages
/// per datagram, and datagrams that lie about their lengths.
struct NetlinkRecordTests {
    static let phone: [UInt8] = [0x00, 0x15, 0x65, 0x12, 0x34, 0x56]
    static let phoneMAC = try! MACAddress(parsing: "00:15:65:12:34:56")
    static let linkLocal: [UInt8] = [0xfe, 0x80] + [UInt8](repeating: 0, count: 13) + [1]

    /// The one neighbour message `bytes` holds.
    static func single(_ bytes: [UInt8]) throws -> NeighbourMessage {
        let records = try NetlinkRecord.parse(bytes)
        try #require(records.count == 1)
        return try #require(records[0].content.neighbour)
    }

    #if _endian(little)
        /// 192.0.2.10 REACHABLE at 00:15:65:12:34:56 on interface 3, as `ip monitor neigh` would see it arrive.
        @Test func readsAnIPv4ReachableEntryFromRawBytes() throws {
            let bytes: [UInt8] = [
                0x30, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // nlmsghdr: 48 bytes, RTM_NEWNEIGH
                0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01,  // ndmsg: AF_INET, ifindex 3, REACHABLE
                0x08, 0x00, 0x01, 0x00, 0xc0, 0x00, 0x02, 0x0a,  // NDA_DST 192.0.2.10
                0x0a, 0x00, 0x02, 0x00, 0x00, 0x15, 0x65, 0x12, 0x34, 0x56, 0x00, 0x00,  // NDA_LLADDR and padding
            ]
            let message = try Self.single(bytes)
            #expect(message.change == .updated)
            #expect(message.family == .ipv4)
            #expect(message.interfaceIndex == 3)
            #expect(message.state == .reachable)
            #expect(message.state.isResolved)
            #expect(message.destination == [192, 0, 2, 10])
            #expect(message.linkLayerAddress == Self.phoneMAC)
        }

        @Test func writesTheDumpRequest() {
            #expect(
                NetlinkRecord.neighbourDumpRequest(sequence: 7) == [
                    // nlmsghdr: 28 bytes, RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, sequence 7, port 0
                    0x1c, 0x00, 0x00, 0x00, 0x1e, 0x00, 0x01, 0x03, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // ndmsg, AF_UNSPEC
                ])
        }
    #endif

    @Test func theDumpRequestIsOneWellFormedMessage() throws {
        let request = NetlinkRecord.neighbourDumpRequest(sequence: 42)
        let records = try NetlinkRecord.parse(request)
        #expect(records == [NetlinkRecord(sequence: 42, portID: 0, content: .ignored(type: 30))])
    }

    @Test func readsAnIPv6StaleEntry() throws {
        let message = try Self.single(
            NetlinkFixture.neighbour(family: 10, interfaceIndex: 7, state: 0x04, destination: Self.linkLocal, linkLayer: Self.phone))
        #expect(message.family == .ipv6)
        #expect(message.interfaceIndex == 7)
        #expect(message.state == .stale && message.state.isResolved)
        #expect(message.destination == Self.linkLocal)
        #expect(message.linkLayerAddress == Self.phoneMAC)
    }

    @Test func anIncompleteEntryHasNoAddressAndIsNotResolved() throws {
        let message = try Self.single(NetlinkFixture.neighbour(family: 2, state: 0x01, destination: [192, 0, 2, 11], linkLayer: nil))
        #expect(message.state == .incomplete && !message.state.isResolved)
        #expect(message.linkLayerAddress == nil)
    }

    @Test func aFailedEntryIsNotResolvedEvenWithAnAddress() throws {
        let message = try Self.single(NetlinkFixture.neighbour(family: 2, state: 0x20, destination: [192, 0, 2, 12], linkLayer: Self.phone))
        #expect(message.state == .failed && !message.state.isResolved)
    }

    @Test func permanentAndNoARPEntriesAreResolved() throws {
        let permanent = try Self.single(NetlinkFixture.neighbour(family: 2, state: 0x80, destination: [192, 0, 2, 13], linkLayer: Self.phone))
        #expect(permanent.state == .permanent && permanent.state.isResolved)
        #expect(permanent.linkLayerAddress == Self.phoneMAC)
        // Loopback's entries are NOARP with an all-zero address: resolved, but with nothing to match.
        let loopback = try Self.single(NetlinkFixture.neighbour(family: 2, state: 0x40, destination: [127, 0, 0, 1], linkLayer: [0, 0, 0, 0, 0, 0]))
        #expect(loopback.state == .noARP && loopback.state.isResolved)
        #expect(loopback.linkLayerAddress == nil)
        #expect(NeighbourState(rawValue: 0).isResolved == false)
        #expect(NeighbourState([.reachable, .failed]).isResolved == false)
    }

    @Test func readsADeletion() throws {
        let message = try Self.single(
            NetlinkFixture.neighbour(
                type: NetlinkFixture.deleteNeighbour, family: 2, state: 0x02, destination: [192, 0, 2, 10], linkLayer: Self.phone))
        #expect(message.change == .deleted)
    }

    @Test func readsTheProxyFlag() throws {
        let message = try Self.single(NetlinkFixture.neighbour(family: 2, state: 0x00, flags: 0x08, destination: [192, 0, 2, 14], linkLayer: nil))
        #expect(message.isProxy)
    }

    @Test func ignoresLinkLayerAddressesThatAreNotEthernet() throws {
        let infiniband = [UInt8](repeating: 0xab, count: 20)
        let message = try Self.single(NetlinkFixture.neighbour(family: 10, state: 0x02, destination: Self.linkLocal, linkLayer: infiniband))
        #expect(message.linkLayerAddress == nil)
        let empty = try Self.single(NetlinkFixture.neighbour(family: 2, state: 0x02, destination: [192, 0, 2, 15], linkLayer: []))
        #expect(empty.linkLayerAddress == nil)
    }

    @Test func splitsADumpPageIntoItsMessages() throws {
        let bytes =
            NetlinkFixture.neighbour(family: 2, state: 0x02, destination: [192, 0, 2, 10], linkLayer: Self.phone, sequence: 5, portID: 99)
            + NetlinkFixture.neighbour(family: 10, state: 0x04, destination: Self.linkLocal, linkLayer: Self.phone, sequence: 5, portID: 99)
            + NetlinkFixture.neighbour(family: 2, state: 0x01, destination: [192, 0, 2, 11], linkLayer: nil, sequence: 5, portID: 99)
            + NetlinkFixture.done(sequence: 5, portID: 99)
        let records = try NetlinkRecord.parse(bytes)
        #expect(records.count == 4)
        #expect(records.allSatisfy { $0.sequence == 5 && $0.portID == 99 })
        #expect(records.compactMap(\.content.neighbour?.destination) == [[192, 0, 2, 10], Self.linkLocal, [192, 0, 2, 11]])
        #expect(records.last?.content == .done(errno: 0))
    }

    @Test func theLastMessageMayLackItsPadding() throws {
        let body =
            NetlinkFixture.ndmsg(family: 2, interfaceIndex: 3, state: 0x02)
            + NetlinkFixture.attribute(type: 1, [192, 0, 2, 10]) + NetlinkFixture.attribute(type: 2, Self.phone).prefix(10)
        let bytes =
            NetlinkFixture.message(type: 29, body: NetlinkFixture.ndmsg(family: 2, interfaceIndex: 3, state: 0x02))
            + NetlinkFixture.message(type: 28, body: body, pad: false)
        let records = try NetlinkRecord.parse(bytes)
        #expect(records.count == 2)
        #expect(records[0].content == .ignored(type: 29), "a neighbour message without NDA_DST names no address")
        #expect(records[1].content.neighbour?.linkLayerAddress == Self.phoneMAC)
    }

    @Test func readsErrorsAcknowledgementsAndTheEndOfADump() throws {
        let bytes =
            NetlinkFixture.error(errno: 16, sequence: 3, portID: 99) + NetlinkFixture.error(errno: 0, sequence: 4, portID: 99)
            + NetlinkFixture.done(sequence: 5, portID: 99, errno: 4) + NetlinkFixture.message(type: 3, sequence: 6, portID: 99, body: [])
            + NetlinkFixture.message(type: 4, body: []) + NetlinkFixture.message(type: 1, body: [])
        #expect(
            try NetlinkRecord.parse(bytes).map(\.content) == [
                .error(errno: 16), .error(errno: 0), .done(errno: 4), .done(errno: 0), .overrun, .ignored(type: 1),
            ])
    }

    @Test func anErrorCodeOfTheSmallestIntegerDoesNotTrap() throws {
        var body: [UInt8] = []
        body.append(native: Int32.min)
        let records = try NetlinkRecord.parse(NetlinkFixture.message(type: 2, body: body) + NetlinkFixture.message(type: 3, body: body))
        #expect(records.map(\.content) == [.error(errno: Int32.min), .done(errno: Int32.min)])
    }

    @Test func ignoresOtherFamiliesOtherTypesAndAddressesOfTheWrongLength() throws {
        // A bridge forwarding entry (AF_BRIDGE) arrives as RTM_NEWNEIGH too.
        let bridge = NetlinkFixture.neighbour(family: 7, state: 0x80, destination: nil, linkLayer: Self.phone)
        let shortIPv6 = NetlinkFixture.neighbour(family: 10, state: 0x02, destination: [192, 0, 2, 10], linkLayer: Self.phone)
        let link = NetlinkFixture.message(type: 16, body: [UInt8](repeating: 0, count: 16))
        #expect(
            try NetlinkRecord.parse(bridge + shortIPv6 + link).map(\.content) == [.ignored(type: 28), .ignored(type: 28), .ignored(type: 16)])
    }

    @Test func attributeFlagBitsAreNotPartOfTheType() throws {
        let body =
            NetlinkFixture.ndmsg(family: 2, interfaceIndex: 3, state: 0x02)
            + NetlinkFixture.attribute(type: 0x8000 | 1, [192, 0, 2, 10]) + NetlinkFixture.attribute(type: 0x4000 | 2, Self.phone)
        let message = try Self.single(NetlinkFixture.message(type: 28, body: body))
        #expect(message.destination == [192, 0, 2, 10] && message.linkLayerAddress == Self.phoneMAC)
    }

    @Test func aTailShorterThanAnAttributeHeaderIsPadding() throws {
        let body = NetlinkFixture.ndmsg(family: 2, interfaceIndex: 3, state: 0x02) + NetlinkFixture.attribute(type: 1, [192, 0, 2, 10]) + [0, 0]
        let message = try Self.single(NetlinkFixture.message(type: 28, body: body, pad: false))
        #expect(message.destination == [192, 0, 2, 10])
    }

    @Test func refusesTruncatedAndLyingHeaders() {
        let good = NetlinkFixture.neighbour(family: 2, state: 0x02, destination: [192, 0, 2, 10], linkLayer: Self.phone)
        #expect(throws: NetlinkMessageError.truncatedHeader(offset: 0, available: 10)) { try NetlinkRecord.parse(Array(good.prefix(10))) }
        #expect(throws: NetlinkMessageError.truncatedHeader(offset: 48, available: 3)) { try NetlinkRecord.parse(good + [1, 2, 3]) }
        #expect(throws: NetlinkMessageError.lengthTooSmall(length: 0, offset: 0)) {
            try NetlinkRecord.parse(NetlinkFixture.message(type: 28, body: [], length: 0))
        }
        #expect(throws: NetlinkMessageError.lengthTooSmall(length: 15, offset: 48)) {
            try NetlinkRecord.parse(good + NetlinkFixture.message(type: 28, body: [], length: 15))
        }
        #expect(throws: NetlinkMessageError.lengthPastEnd(length: 49, offset: 0, available: 48)) {
            var lying = good
            lying.replaceSubrange(0..<4, with: Swift.withUnsafeBytes(of: UInt32(49)) { Array($0) })
            return try NetlinkRecord.parse(lying)
        }
        #expect(throws: NetlinkMessageError.lengthPastEnd(length: Int(UInt32.max), offset: 0, available: 16)) {
            try NetlinkRecord.parse(NetlinkFixture.message(type: 28, body: [], length: .max))
        }
        #expect(throws: NetlinkMessageError.truncatedBody(type: 28, offset: 0, length: 24)) {
            try NetlinkRecord.parse(NetlinkFixture.message(type: 28, body: [2, 0, 0, 0, 3, 0, 0, 0]))
        }
        #expect(throws: NetlinkMessageError.truncatedBody(type: 2, offset: 0, length: 16)) {
            try NetlinkRecord.parse(NetlinkFixture.message(type: 2, body: []))
        }
    }

    @Test func refusesAttributesThatOverrunOrCannotAdvance() {
        let header = NetlinkFixture.ndmsg(family: 2, interfaceIndex: 3, state: 0x02)
        // A zero length would never move past the attribute.
        #expect(throws: NetlinkMessageError.malformedAttribute(type: 1, length: 0, offset: 28)) {
            try NetlinkRecord.parse(NetlinkFixture.message(type: 28, body: header + NetlinkFixture.attribute(type: 1, [192, 0, 2, 10], length: 0)))
        }
        #expect(throws: NetlinkMessageError.malformedAttribute(type: 1, length: 3, offset: 28)) {
            try NetlinkRecord.parse(NetlinkFixture.message(type: 28, body: header + NetlinkFixture.attribute(type: 1, [192, 0, 2, 10], length: 3)))
        }
        #expect(throws: NetlinkMessageError.malformedAttribute(type: 2, length: 200, offset: 36)) {
            let body = header + NetlinkFixture.attribute(type: 1, [192, 0, 2, 10]) + NetlinkFixture.attribute(type: 2, Self.phone, length: 200)
            return try NetlinkRecord.parse(NetlinkFixture.message(type: 28, body: body))
        }
    }

    /// Every prefix, and thousands of random corruptions, of a valid page: each parses or throws, none traps or hangs.
    @Test func survivesEveryPrefixAndRandomCorruption() {
        let page =
            NetlinkFixture.neighbour(family: 2, state: 0x02, destination: [192, 0, 2, 10], linkLayer: Self.phone, sequence: 5, portID: 99)
            + NetlinkFixture.neighbour(family: 10, state: 0x04, destination: Self.linkLocal, linkLayer: Self.phone, sequence: 5, portID: 99)
            + NetlinkFixture.error(errno: 16, sequence: 3, portID: 99) + NetlinkFixture.done(sequence: 5, portID: 99)
        var outcomes = (parsed: 0, refused: 0)
        for end in 0...page.count {
            if (try? NetlinkRecord.parse(Array(page[..<end]))) != nil { outcomes.parsed += 1 } else { outcomes.refused += 1 }
        }
        var random = SplitMix64(state: 20_261_127)
        for _ in 0..<5_000 {
            var bytes = page
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
            if (try? NetlinkRecord.parse(bytes)) != nil { outcomes.parsed += 1 } else { outcomes.refused += 1 }
        }
        #expect(outcomes.parsed > 0 && outcomes.refused > 0)
    }
}
