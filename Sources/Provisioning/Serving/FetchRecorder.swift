import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// Notes which phone fetched its file when, without a database write per request.
///
/// Requests add to an in-memory batch; the batch is written once a second
/// in one transaction, and once more on shutdown.
public final class FetchRecorder: Service, Sendable {
    /// One batch per lane, each behind its own lock: a transport gives each event loop a lane, so loops
    /// recording at once do not pass one lock's cache line between them.
    private let lanes: [Lane]
    private let store: ProvisioningStore
    private let logger: Logger

    private final class Lane: Sendable {
        let pending = Mutex<[MACAddress: FetchEvent]>([:])
        // Keeps two lanes' locks, allocated one after the other, off one cache line.
        private let padding: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64) = (0, 0, 0, 0, 0, 0, 0, 0)
    }

    /// - Parameters:
    ///   - store: Where fetches are written.
    ///   - logger: Where write failures are logged.
    ///   - lanes: How many batches fetches are spread over; one per event loop is best, and the
    ///     default is one per processor, as many as the default event loop group has loops.
    public init(store: ProvisioningStore, logger: Logger, lanes: Int? = nil) {
        self.store = store
        self.logger = logger
        self.lanes = (0..<max(1, lanes ?? ProcessInfo.processInfo.activeProcessorCount)).map { _ in Lane() }
    }

    /// Records one fetch; cheap enough for the request path.
    /// - Parameters:
    ///   - event: The fetch.
    ///   - lane: The caller's lane (any number: it is taken modulo the lane count), the same for every
    ///     call from one thread or event loop.
    public func record(_ event: FetchEvent, lane: Int = 0) {
        lanes[lane % lanes.count].pending.withLock { $0[event.mac] = event }
    }

    /// Writes the pending batch now.
    public func flush() {
        var latest: [MACAddress: FetchEvent] = [:]
        for lane in lanes {
            let taken = lane.pending.withLock { pending in
                defer { pending.removeAll(keepingCapacity: true) }
                return pending
            }
            // A phone seen on two lanes is kept as of its latest fetch.
            latest.merge(taken) { $0.at >= $1.at ? $0 : $1 }
        }
        let batch = Array(latest.values)
        guard !batch.isEmpty else { return }
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
