public import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// Keeps the daemon's ``BanList`` and the store's ban table in step: new bans are logged and
/// written (off the request path), and a ban an admin cleared (`bans clear`, the API) is lifted
/// here within half a second.
public final class BanSync: Service, Sendable {
    public let bans: BanList
    private let pending = Mutex<[BanList.Ban]>([])
    private let store: ProvisioningStore
    private let logger: Logger
    private let interval: Duration

    /// - Parameters:
    ///   - bans: The list the transports consult.
    ///   - store: Where bans are kept for the CLI and the API.
    ///   - logger: Where each ban is announced.
    ///   - interval: How often the store is read for cleared bans.
    public init(bans: BanList, store: ProvisioningStore, logger: Logger, interval: Duration = .milliseconds(500)) {
        self.bans = bans
        self.store = store
        self.logger = logger
        self.interval = interval
    }

    /// Counts a failed lookup; cheap enough for the request path.
    public func recordFailure(_ address: String, settings: PnPSettings) {
        guard let ban = bans.recordFailure(address, settings: settings) else { return }
        // One line per ban, in a fixed form fail2ban can match.
        logger.notice("banned \(ban.address) for \(ban.seconds) s after \(ban.failures) failed lookups")
        pending.withLock { $0.append(ban) }
    }

    /// Writes new bans, then lifts the ones the store no longer has.
    public func sync(now: Date = Date()) {
        // Bans begun before this moment are in the batch taken below; later ones wait for the next round.
        let syncedUpTo = now.addingTimeInterval(-1)
        let batch = pending.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        do {
            try store.recordBans(batch, now: now)
            let stored = try store.bans(now: now)
            bans.reconcile(
                stored: Dictionary(stored.map { ($0.address, $0.until) }, uniquingKeysWith: { first, _ in first }), syncedUpTo: syncedUpTo, now: now)
        } catch {
            pending.withLock { $0.insert(contentsOf: batch, at: 0) }
            logger.warning("cannot sync \(batch.count) new bans with the store: \(error)")
        }
    }

    public func run() async throws {
        sync()
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: self.interval)
                self.sync()
            }
        }
        sync()
    }
}
