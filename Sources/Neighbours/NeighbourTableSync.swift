/// What to do with each netlink record so that the cache ends up as the kernel's table: the monitor's state machine.
///
/// One socket carries both the dump replies and the notifications. A dump is
/// read page by page while the table keeps changing, so its snapshot can be
/// older than a notification that arrived before it ended. The notifications
/// that arrive during a dump are therefore applied at once (the cache stays
/// current) and kept, then applied again on top of the snapshot when it
/// replaces the table. Each notification carries the entry's whole state, so
/// the last one for an entry is its current state, whatever came before; that
/// also makes a dump the kernel marks as interrupted (`NLM_F_DUMP_INTR`) safe.
///
/// Lost notifications (ENOBUFS, `NLMSG_OVERRUN`, a datagram that cannot be read)
/// call for a new dump; one asked for during a dump follows it, since the
/// kernel runs one dump per socket at a time.
///
/// Side effects stay outside: the monitor sends what ``Action/requestDump(sequence:)``
/// asks for and applies the rest to the cache.
struct NeighbourTableSync: Sendable {
    enum State: Hashable, Sendable {
        /// No dump asked for yet.
        case idle
        case dumping(Dump)
        /// A dump has been applied, or refused; notifications apply as they come.
        case live
    }

    /// A dump in progress.
    struct Dump: Hashable, Sendable {
        var sequence: UInt32
        var snapshot: [NeighbourMessage] = []
        var notifications: [NeighbourMessage] = []
        /// Whether another dump is needed once this one ends.
        var again = false
    }

    enum Action: Hashable, Sendable {
        /// Send the `RTM_GETNEIGH` dump request with this sequence.
        case requestDump(sequence: UInt32)
        /// Apply one notification to the cache.
        case apply(NeighbourMessage)
        /// Replace the cache with a dump's entries, then apply the notifications kept during it.
        case replace(snapshot: [NeighbourMessage], then: [NeighbourMessage])
        /// The kernel refused or broke off the dump with this errno.
        case dumpFailed(errno: Int32)
    }

    private(set) var state = State.idle
    /// Whether a dump has replaced the table at least once.
    private(set) var isLoaded = false
    /// The netlink port of the monitor's socket: dump replies carry it, notifications for others' changes do not.
    let portID: UInt32
    /// The most messages kept for one dump, snapshot and notifications each; past that the rest would not fit the cache anyway.
    let limit: Int
    private var lastSequence: UInt32 = 0

    /// - Parameters:
    ///   - portID: The socket's netlink port, as `getsockname` reports it after `bind`.
    ///   - limit: The most messages kept per dump, the cache's capacity.
    init(portID: UInt32, limit: Int) {
        self.portID = portID
        self.limit = limit
    }

    /// Asks for a dump now, or after the one in progress.
    /// - Returns: The request to send, or nil when one is already running.
    mutating func dump() -> Action? {
        if case .dumping(var dump) = state {
            dump.again = true
            state = .dumping(dump)
            return nil
        }
        // Sequence 0 is what notifications of the kernel's own changes carry; never use it.
        lastSequence = lastSequence == .max ? 1 : lastSequence + 1
        state = .dumping(Dump(sequence: lastSequence))
        return .requestDump(sequence: lastSequence)
    }

    /// Notifications were lost: the table must be read again.
    mutating func lostNotifications() -> Action? {
        dump()
    }

    /// What one received record calls for.
    mutating func receive(_ record: NetlinkRecord) -> [Action] {
        if case .dumping(var dump) = state, record.portID == portID, record.sequence == dump.sequence {
            switch record.content {
            case .neighbour(let message):
                if dump.snapshot.count < limit { dump.snapshot.append(message) }
                state = .dumping(dump)
                return []
            case .done(let errno) where errno != 0:
                return fail(errno: errno)
            case .error(let errno) where errno != 0:
                return fail(errno: errno)
            case .done:
                state = .live
                isLoaded = true
                var actions = [Action.replace(snapshot: dump.snapshot, then: dump.notifications)]
                if dump.again, let request = self.dump() { actions.append(request) }
                return actions
            case .error, .ignored:
                return []
            case .overrun:
                return lostNotifications().map { [$0] } ?? []
            }
        }
        switch record.content {
        case .neighbour(let message):
            if case .dumping(var dump) = state {
                if dump.notifications.count < limit {
                    dump.notifications.append(message)
                } else {
                    // Too many to replay: the snapshot could undo some, so read the table again after this dump.
                    dump.again = true
                }
                state = .dumping(dump)
            }
            return [.apply(message)]
        case .overrun:
            return lostNotifications().map { [$0] } ?? []
        case .done, .error, .ignored:
            return []
        }
    }

    /// The dump request could not be sent, so no reply will end the dump.
    mutating func requestFailed(errno: Int32) -> [Action] {
        fail(errno: errno)
    }

    private mutating func fail(errno: Int32) -> [Action] {
        guard case .dumping(let dump) = state else { return [] }
        state = .live
        var actions = [Action.dumpFailed(errno: errno)]
        if dump.again, let request = self.dump() { actions.append(request) }
        return actions
    }
}
