public import Logging
public import ServiceLifecycle
import Synchronization

/// Notes which phone fetched its file when, without a database write per request.
///
/// Requests add to an in-memory batch; the batch is written once a second
/// in one transaction, and once more on shutdown.
public final class FetchRecorder: Service, Sendable {
    private let pending = Mutex<[MACAddress: FetchEvent]>([:])
    private let store: ProvisioningStore
    private let logger: Logger

    /// - Parameters:
    ///   - store: Where fetches are written.
    ///   - logger: Where write failures are logged.
    public init(store: ProvisioningStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Records one fetch; cheap enough for the request path.
    public func record(_ event: FetchEvent) {
        pending.withLock { $0[event.mac] = event }
    }

    /// Writes the pending batch now.
    public func flush() {
        let batch = pending.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return Array(pending.values)
        }
        do {
            try store.recordFetches(batch)
        } catch {
            logger.warning("cannot record \(batch.count) config fetches: \(error)")
        }
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                self.flush()
            }
        }
        flush()
    }
}
