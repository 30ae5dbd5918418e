import Provisioning
import Testing

@testable import Neighbours

/// The monitor's state machine: dumps, the notifications that overtake them, and lost notifications.
struct NeighbourTableSyncTests {
    static let port: UInt32 = 4242
    static let phone = try! MACAddress(parsing: "00:15:65:12:34:56")

    static func entry(_ last: UInt8, change: NeighbourMessage.Change = .updated) -> NeighbourMessage {
        NeighbourMessage(
            change: change, family: .ipv4, interfaceIndex: 3, state: .reachable, flags: 0, destination: [192, 0, 2, last], linkLayerAddress: phone)
    }

    static func reply(_ content: NetlinkRecord.Content, sequence: UInt32, portID: UInt32 = port) -> NetlinkRecord {
        NetlinkRecord(sequence: sequence, portID: portID, content: content)
    }

    static func notification(_ message: NeighbourMessage) -> NetlinkRecord {
        NetlinkRecord(sequence: 0, portID: 0, content: .neighbour(message))
    }

    @Test func aDumpIsCollectedThenReplacesTheTable() {
        var sync = NeighbourTableSync(portID: Self.port, limit: 100)
        #expect(sync.dump() == .requestDump(sequence: 1))
        #expect(sync.receive(Self.reply(.neighbour(Self.entry(1)), sequence: 1)).isEmpty)
        #expect(sync.receive(Self.reply(.neighbour(Self.entry(2)), sequence: 1)).isEmpty)
        #expect(!sync.isLoaded)
        #expect(sync.receive(Self.reply(.done(errno: 0), sequence: 1)) == [.replace(snapshot: [Self.entry(1), Self.entry(2)], then: [])])
        #expect(sync.isLoaded)
        #expect(sync.state == .live)
    }

    @Test func notificationsDuringADumpApplyAtOnceAndAgainAfterIt() {
        var sync = NeighbourTableSync(portID: Self.port, limit: 100)
        _ = sync.dump()
        #expect(sync.receive(Self.notification(Self.entry(1, change: .deleted))) == [.apply(Self.entry(1, change: .deleted))])
        _ = sync.receive(Self.reply(.neighbour(Self.entry(1)), sequence: 1))
        // Another process's request carries its own port, even with our sequence number: a notification.
        let foreign = NetlinkRecord(sequence: 1, portID: 77, content: .neighbour(Self.entry(2)))
        #expect(sync.receive(foreign) == [.apply(Self.entry(2))])
        #expect(
            sync.receive(Self.reply(.done(errno: 0), sequence: 1)) == [
                .replace(snapshot: [Self.entry(1)], then: [Self.entry(1, change: .deleted), Self.entry(2)])
            ])
        #expect(sync.receive(Self.notification(Self.entry(3))) == [.apply(Self.entry(3))])
    }

    @Test func lostNotificationsCallForADumpAfterTheOneRunning() {
        var sync = NeighbourTableSync(portID: Self.port, limit: 100)
        _ = sync.dump()
        #expect(sync.lostNotifications() == nil)
        #expect(sync.receive(Self.reply(.overrun, sequence: 0, portID: 0)).isEmpty)
        #expect(
            sync.receive(Self.reply(.done(errno: 0), sequence: 1)) == [.replace(snapshot: [], then: []), .requestDump(sequence: 2)])
        // Replies to the finished dump no longer count as part of one.
        #expect(sync.receive(Self.reply(.neighbour(Self.entry(9)), sequence: 1)) == [.apply(Self.entry(9))])
        _ = sync.receive(Self.reply(.done(errno: 0), sequence: 2))
        #expect(sync.state == .live)
        #expect(sync.lostNotifications() == .requestDump(sequence: 3))
        #expect(sync.receive(Self.reply(.overrun, sequence: 0, portID: 0)).isEmpty, "already dumping")
    }

    @Test func anOverrunWhileLiveCallsForADump() {
        var sync = NeighbourTableSync(portID: Self.port, limit: 100)
        _ = sync.dump()
        _ = sync.receive(Self.reply(.done(errno: 0), sequence: 1))
        #expect(sync.receive(Self.reply(.overrun, sequence: 0, portID: 0)) == [.requestDump(sequence: 2)])
    }

    @Test func aRefusedDumpFailsWithoutLoading() {
        var sync = NeighbourTableSync(portID: Self.port, limit: 100)
        _ = sync.dump()
        #expect(sync.receive(Self.reply(.error(errno: 0), sequence: 1)).isEmpty, "an acknowledgement is no failure")
        #expect(sync.receive(Self.reply(.error(errno: 1), sequence: 1)) == [.dumpFailed(errno: 1)])
        #expect(!sync.isLoaded)
        #expect(sync.state == .live)
        #expect(sync.receive(Self.reply(.error(errno: 1), sequence: 1)).isEmpty, "no dump is running any more")
    }

    @Test func aDumpBrokenOffFailsAndTheWaitingOneFollows() {
        var sync = NeighbourTableSync(portID: Self.port, limit: 100)
        _ = sync.dump()
        _ = sync.lostNotifications()
        #expect(sync.receive(Self.reply(.done(errno: 4), sequence: 1)) == [.dumpFailed(errno: 4), .requestDump(sequence: 2)])
    }

    @Test func anUnsentRequestFailsTheDump() {
        var sync = NeighbourTableSync(portID: Self.port, limit: 100)
        _ = sync.dump()
        #expect(sync.requestFailed(errno: 105) == [.dumpFailed(errno: 105)])
        #expect(sync.state == .live)
        #expect(sync.dump() == .requestDump(sequence: 2))
    }

    @Test func tooManyNotificationsToReplayCallForAnotherDump() {
        var sync = NeighbourTableSync(portID: Self.port, limit: 2)
        _ = sync.dump()
        for last in UInt8(1)...3 { #expect(sync.receive(Self.notification(Self.entry(last))) == [.apply(Self.entry(last))]) }
        for last in UInt8(1)...3 { _ = sync.receive(Self.reply(.neighbour(Self.entry(last)), sequence: 1)) }
        #expect(
            sync.receive(Self.reply(.done(errno: 0), sequence: 1)) == [
                .replace(snapshot: [Self.entry(1), Self.entry(2)], then: [Self.entry(1), Self.entry(2)]), .requestDump(sequence: 2),
            ])
    }
}
