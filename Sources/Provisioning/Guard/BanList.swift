public import Foundation
import Synchronization

/// The addresses refused for guessing: failures counted per address in a sliding window,
/// and a ban once they reach the threshold. Shared by HTTP and TFTP; one lock, short holds.
///
/// Every request asks ``isBanned(_:now:)``, and almost always nobody is banned: an atomic count
/// of the entries holding a ban answers that case without the lock the event loops would share.
///
/// Bounded: at most ``capacity`` addresses are tracked; when full, the eighth that was
/// active longest ago is dropped, so nothing grows with the number of attackers.
public final class BanList: Sendable {
    /// A ban that has just begun, for the log, the audit log and the store.
    public struct Ban: Sendable, Hashable {
        public var address: String
        public var until: Date
        public var failures: Int
        public var seconds: Int

        public init(address: String, until: Date, failures: Int, seconds: Int) {
            self.address = address
            self.until = until
            self.failures = failures
            self.seconds = seconds
        }
    }

    struct Entry {
        /// Times of the most recent failures, oldest first; at most the threshold.
        var failures: [Date] = []
        var bannedUntil: Date?
        var bannedAt: Date?
        var lastActive: Date
    }

    /// The entries and how many of them hold a ban (ended or not), kept together under the lock.
    struct Entries {
        private(set) var byAddress: [String: Entry] = [:]
        private(set) var holdingBans = 0

        subscript(address: String) -> Entry? {
            get { byAddress[address] }
            set {
                holdingBans += (newValue?.bannedUntil == nil ? 0 : 1) - (byAddress[address]?.bannedUntil == nil ? 0 : 1)
                byAddress[address] = newValue
            }
        }

        var count: Int { byAddress.count }

        mutating func removeValue(forKey address: String) {
            self[address] = nil
        }
    }

    public let capacity: Int
    private let entries = Mutex(Entries())
    /// ``Entries/holdingBans``, published after each change.
    private let holdingBans = Atomic<Int>(0)

    public init(capacity: Int = 65_536) {
        self.capacity = capacity
    }

    /// Whether `address` is banned now. Loopback never is.
    public func isBanned(_ address: String, now: Date = Date()) -> Bool {
        guard holdingBans.load(ordering: .acquiring) > 0 else { return false }
        return change { entries in
            guard let until = entries[address]?.bannedUntil else { return false }
            if until > now { return true }
            entries[address]?.bannedUntil = nil
            return false
        }
    }

    /// Runs `body` under the lock and publishes the count of bans it leaves.
    private func change<Result>(_ body: (inout Entries) -> Result) -> Result {
        entries.withLock { entries in
            let result = body(&entries)
            holdingBans.store(entries.holdingBans, ordering: .releasing)
            return result
        }
    }

    /// Counts one failed lookup from `address`.
    /// - Returns: The ban, when this failure starts one.
    public func recordFailure(_ address: String, settings: PnPSettings, now: Date = Date()) -> Ban? {
        guard !IPNetwork.isLoopback(address) else { return nil }
        return change { entries in
            if entries[address] == nil, entries.count >= capacity { Self.evict(&entries, keeping: capacity - capacity / 8) }
            var entry = entries[address] ?? Entry(lastActive: now)
            entry.lastActive = now
            if let until = entry.bannedUntil, until > now {
                entries[address] = entry
                return nil
            }
            let windowStart = now.addingTimeInterval(-Double(settings.banWindow))
            entry.failures.removeAll { $0 < windowStart }
            entry.failures.append(now)
            if entry.failures.count > settings.banThreshold { entry.failures.removeFirst(entry.failures.count - settings.banThreshold) }
            var ban: Ban?
            if entry.failures.count >= settings.banThreshold {
                let until = now.addingTimeInterval(Double(settings.banTime))
                entry.bannedUntil = until
                entry.bannedAt = now
                ban = Ban(address: address, until: until, failures: entry.failures.count, seconds: settings.banTime)
                entry.failures = []
            }
            entries[address] = entry
            return ban
        }
    }

    /// Lifts the ban of `address` and forgets its failures.
    public func lift(_ address: String) {
        change { $0.removeValue(forKey: address) }
    }

    /// Lifts every ban the store no longer lists (an admin cleared it), and adopts the store's
    /// bans this process does not hold yet (made before a restart).
    /// - Parameters:
    ///   - stored: The store's running bans.
    ///   - syncedUpTo: Bans begun before this were written to the store already; later ones may not be yet.
    public func reconcile(stored: [String: Date], syncedUpTo: Date, now: Date = Date()) {
        change { entries in
            for (address, entry) in entries.byAddress where entry.bannedUntil.map({ $0 > now }) == true && stored[address] == nil {
                if let bannedAt = entry.bannedAt, bannedAt > syncedUpTo { continue }
                entries.removeValue(forKey: address)
            }
            for (address, until) in stored where until > now && entries[address]?.bannedUntil == nil {
                entries[address] = Entry(bannedUntil: until, bannedAt: nil, lastActive: now)
            }
        }
    }

    /// The addresses banned now, with the end of each ban.
    public func current(now: Date = Date()) -> [String: Date] {
        entries.withLock { entries in
            entries.byAddress.compactMapValues { entry in entry.bannedUntil.flatMap { $0 > now ? $0 : nil } }
        }
    }

    /// How many addresses are tracked.
    public var count: Int { entries.withLock { $0.count } }

    private static func evict(_ entries: inout Entries, keeping: Int) {
        let byAge = entries.byAddress.sorted { $0.value.lastActive < $1.value.lastActive }
        for (address, _) in byAge.prefix(entries.count - keeping) { entries.removeValue(forKey: address) }
    }
}
