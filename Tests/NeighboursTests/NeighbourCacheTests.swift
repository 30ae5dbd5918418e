import Provisioning
import Testing

@testable import Neighbours

/// Which kernel entries the cache holds, and how a peer's address text finds them.
struct NeighbourCacheTests {
    static let phone = try! MACAddress(parsing: "00:15:65:12:34:56")
    static let other = try! MACAddress(parsing: "00:15:65:ab:cd:ef")
    static let linkLocal: [UInt8] = [0xfe, 0x80] + [UInt8](repeating: 0, count: 13) + [1]

    static func entry(
        _ destination: [UInt8], _ state: NeighbourState, mac: MACAddress? = phone, change: NeighbourMessage.Change = .updated,
        interfaceIndex: Int32 = 3, flags: UInt8 = 0
    ) -> NeighbourMessage {
        NeighbourMessage(
            change: change, family: destination.count == 4 ? .ipv4 : .ipv6, interfaceIndex: interfaceIndex, state: state, flags: flags,
            destination: destination, linkLayerAddress: mac)
    }

    @Test(arguments: [NeighbourState.reachable, .stale, .delay, .probe, .permanent, .noARP])
    func holdsResolvedEntries(state: NeighbourState) {
        let cache = NeighbourCache()
        cache.apply(Self.entry([192, 0, 2, 10], state))
        #expect(cache.mac(for: "192.0.2.10") == Self.phone)
        #expect(cache.holds(Self.phone, for: "192.0.2.10"))
        #expect(!cache.holds(Self.other, for: "192.0.2.10"))
        #expect(!cache.holds(Self.phone, for: "192.0.2.11"))
        #expect(cache.count == 1)
    }

    @Test(arguments: [NeighbourState.incomplete, .failed, []])
    func unresolvedEntriesRemoveWhatWasHeld(state: NeighbourState) {
        let cache = NeighbourCache()
        cache.apply(Self.entry([192, 0, 2, 10], .reachable))
        cache.apply(Self.entry([192, 0, 2, 10], state, mac: nil))
        #expect(cache.mac(for: "192.0.2.10") == nil)
        #expect(cache.count == 0)
        // Never added either, even when the kernel still reports an address.
        cache.apply(Self.entry([192, 0, 2, 10], state))
        #expect(cache.mac(for: "192.0.2.10") == nil)
    }

    @Test func anEntryWithoutAnAddressRemovesWhatWasHeld() {
        let cache = NeighbourCache()
        cache.apply(Self.entry([192, 0, 2, 10], .reachable))
        cache.apply(Self.entry([192, 0, 2, 10], .stale, mac: nil))
        #expect(cache.mac(for: "192.0.2.10") == nil)
    }

    @Test func aDeletionRemovesTheEntry() {
        let cache = NeighbourCache()
        cache.apply(Self.entry([192, 0, 2, 10], .reachable))
        cache.apply(Self.entry([192, 0, 2, 10], .reachable, change: .deleted))
        #expect(cache.mac(for: "192.0.2.10") == nil)
        #expect(cache.count == 0)
    }

    @Test func aChangedAddressReplacesTheOldOne() {
        let cache = NeighbourCache()
        cache.apply(Self.entry([192, 0, 2, 10], .reachable))
        cache.apply(Self.entry([192, 0, 2, 10], .stale, mac: Self.other))
        #expect(cache.mac(for: "192.0.2.10") == Self.other)
        #expect(cache.count == 1)
    }

    @Test func findsIPv4ThroughItsMappedIPv6Form() {
        let cache = NeighbourCache()
        cache.apply(Self.entry([192, 0, 2, 10], .reachable))
        #expect(cache.mac(for: "::ffff:192.0.2.10") == Self.phone)
        #expect(cache.mac(for: "::FFFF:c000:20a") == Self.phone)
        #expect(cache.mac(for: "::192.0.2.10") == nil, "the deprecated IPv4-compatible form is another address")
    }

    @Test func findsIPv6WhateverTheSpelling() {
        let cache = NeighbourCache()
        cache.apply(Self.entry(Self.linkLocal, .stale))
        for text in ["fe80::1", "FE80::1", "fe80:0:0:0:0:0:0:1", "fe80:0000::0001", "fe80::1%eth0"] {
            #expect(cache.mac(for: text) == Self.phone, "\(text)")
        }
        #expect(cache.mac(for: "fe80::2") == nil)
    }

    @Test(arguments: ["", "phone", "192.0.2", "192.0.2.10.1", "256.0.0.1", "fe80::1::2", "%eth0", "00:15:65:12:34:56"])
    func textThatIsNoAddressFindsNothing(text: String) {
        let cache = NeighbourCache()
        cache.apply(Self.entry([192, 0, 2, 10], .reachable))
        #expect(cache.mac(for: text) == nil)
    }

    @Test func proxyEntriesNeitherAddNorRemove() {
        let cache = NeighbourCache()
        cache.apply(Self.entry([192, 0, 2, 10], .reachable))
        cache.apply(Self.entry([192, 0, 2, 10], [], mac: nil, change: .deleted, flags: NeighbourMessage.proxyFlag))
        cache.apply(Self.entry([192, 0, 2, 11], .permanent, flags: NeighbourMessage.proxyFlag))
        #expect(cache.mac(for: "192.0.2.10") == Self.phone)
        #expect(cache.mac(for: "192.0.2.11") == nil)
    }

    @Test func anAddressOnTwoInterfacesAnswersOnlyWhileTheyAgree() {
        let cache = NeighbourCache()
        cache.apply(Self.entry(Self.linkLocal, .reachable, interfaceIndex: 3))
        cache.apply(Self.entry(Self.linkLocal, .reachable, interfaceIndex: 4))
        #expect(cache.mac(for: "fe80::1") == Self.phone)
        #expect(cache.count == 2)
        cache.apply(Self.entry(Self.linkLocal, .reachable, mac: Self.other, interfaceIndex: 4))
        #expect(cache.mac(for: "fe80::1") == nil)
        #expect(!cache.holds(Self.phone, for: "fe80::1") && !cache.holds(Self.other, for: "fe80::1"))
        cache.apply(Self.entry(Self.linkLocal, .reachable, change: .deleted, interfaceIndex: 3))
        #expect(cache.mac(for: "fe80::1") == Self.other)
        #expect(cache.count == 1)
    }

    @Test func whenFullNewEntriesAreDroppedAndKnownOnesStillChange() {
        let cache = NeighbourCache(capacity: 2)
        cache.apply(Self.entry([192, 0, 2, 1], .reachable))
        cache.apply(Self.entry([192, 0, 2, 2], .reachable))
        cache.apply(Self.entry([192, 0, 2, 3], .reachable))
        #expect(cache.count == 2)
        #expect(cache.mac(for: "192.0.2.3") == nil)
        #expect(cache.takeDropped() == 1)
        #expect(cache.takeDropped() == 0)
        cache.apply(Self.entry([192, 0, 2, 2], .stale, mac: Self.other))
        #expect(cache.mac(for: "192.0.2.2") == Self.other)
        cache.apply(Self.entry([192, 0, 2, 1], .failed, mac: nil))
        cache.apply(Self.entry([192, 0, 2, 3], .reachable))
        #expect(cache.mac(for: "192.0.2.3") == Self.phone)
        #expect(cache.count == 2)
    }

    @Test func aDumpReplacesTheTableAndTheNotificationsDuringItApplyOnTop() {
        let cache = NeighbourCache()
        cache.apply(Self.entry([192, 0, 2, 1], .reachable))
        cache.apply(Self.entry([192, 0, 2, 2], .reachable))
        cache.replace(
            with: [Self.entry([192, 0, 2, 2], .stale), Self.entry([192, 0, 2, 3], .reachable)],
            then: [Self.entry([192, 0, 2, 3], .reachable, change: .deleted), Self.entry([192, 0, 2, 4], .delay, mac: Self.other)])
        #expect(cache.mac(for: "192.0.2.1") == nil, "gone while no notification said so")
        #expect(cache.mac(for: "192.0.2.2") == Self.phone)
        #expect(cache.mac(for: "192.0.2.3") == nil, "deleted after the dump read it")
        #expect(cache.mac(for: "192.0.2.4") == Self.other)
        #expect(cache.count == 2)
    }

    @Test func callersTestsCanRecordEntries() {
        let cache = NeighbourCache()
        cache.record(Self.phone, for: "192.0.2.10")
        #expect(cache.holds(Self.phone, for: "::ffff:192.0.2.10"))
        cache.record(nil, for: "192.0.2.10")
        #expect(cache.mac(for: "192.0.2.10") == nil)
        cache.record(Self.phone, for: "not an address")
        #expect(cache.count == 0)
    }
}
