import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps a ``NeighbourCache`` equal to the kernel's neighbour table, from one rtnetlink dump and the notifications after it.
///
/// The first dump is read in `init`, so the cache is complete before anything
/// runs that asks it; ``run()`` then follows `RTM_NEWNEIGH` and `RTM_DELNEIGH`
/// on a thread of its own until cancellation or graceful shutdown. When the
/// kernel reports lost notifications (ENOBUFS) the table is dumped again.
/// Errors while running are logged, never thrown: a lookup then answers from
/// what was last known.
public final class NeighbourMonitor: Service, Sendable {
    /// The cache this monitor keeps current.
    public let cache: NeighbourCache
    let logger: Logger
    private let socket: NetlinkSocket
    private let reader: Mutex<Reader>
    private let started = Atomic<Bool>(false)
    private let stopped = Atomic<Bool>(false)

    /// The reading side's state: one thread at a time touches it, the caller of `init`, then the thread of ``run()``.
    private struct Reader {
        var sync: NeighbourTableSync
        var lastFullWarning: ContinuousClock.Instant?
        var droppedSinceWarning = 0
        var dumpsRequested = 0
    }

    /// How one receive went.
    private enum Step {
        case quiet
        case handled
        case dumpFailed(errno: Int32)
        case failed(errno: Int32)
    }

    /// Opens the netlink socket, subscribes to neighbour changes, and loads the whole table into `cache`.
    ///
    /// Subscribing comes before the dump, so no change falls between the two.
    /// Blocks until the dump has been read (milliseconds on an ordinary table).
    /// - Parameters:
    ///   - cache: The cache to fill and keep current.
    ///   - logger: Where lost notifications and failures are logged.
    ///   - loadTimeout: The longest the first dump may take.
    ///   - receiveBufferSize: The socket buffer asked for, in bytes; a burst of changes larger than it is lost and costs a new dump.
    /// - Throws: ``NeighbourMonitorError`` naming the failing step and its errno.
    public init(
        cache: NeighbourCache, logger: Logger, loadTimeout: Duration = .seconds(10), receiveBufferSize: Int = 1 << 20
    ) throws(NeighbourMonitorError) {
        self.cache = cache
        self.logger = logger
        socket = try NetlinkSocket(groups: NetlinkSocket.neighbourGroup, receiveBuffer: Int32(clamping: receiveBufferSize))
        reader = Mutex(Reader(sync: NeighbourTableSync(portID: socket.portID, limit: cache.capacity)))
        if let request = reader.withLock({ $0.sync.dump() }), case .dumpFailed(let errno) = perform(request) {
            throw .sendDump(errno: errno)
        }
        let deadline = ContinuousClock.now + loadTimeout
        var buffer = Self.makeBuffer()
        while !reader.withLock({ $0.sync.isLoaded }) {
            guard ContinuousClock.now < deadline else { throw .dumpTimedOut(seconds: Int(loadTimeout.components.seconds)) }
            switch step(&buffer) {
            case .quiet, .handled: continue
            case .dumpFailed(let errno): throw .dumpRefused(errno: errno)
            case .failed(let errno): throw .receive(errno: errno)
            }
        }
        logger.info("neighbour table loaded: \(cache.count) entries")
    }

    /// Follows the kernel's changes to the table until cancelled or shut down gracefully.
    /// - Throws: ``NeighbourMonitorError/alreadyRunning`` on a second call; nothing else.
    public func run() async throws {
        guard !started.exchange(true, ordering: .relaxed) else { throw NeighbourMonitorError.alreadyRunning }
        await withTaskCancellationOrGracefulShutdownHandler {
            // A blocking read loop belongs on a thread of its own, not on the cooperative pool.
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let thread = Thread { [self] in
                    var buffer = Self.makeBuffer()
                    while !stopped.load(ordering: .relaxed) {
                        switch step(&buffer) {
                        case .quiet, .handled:
                            continue
                        case .dumpFailed(let errno):
                            logger.error("\(NeighbourMonitorError.dumpRefused(errno: errno)); the table follows notifications only")
                        case .failed(let errno):
                            logger.error("\(NeighbourMonitorError.receive(errno: errno))")
                            // Whatever failed is unlikely to pass the next instant; do not spin on it.
                            usleep(200_000)
                        }
                    }
                    done.resume()
                }
                thread.name = "neighbours"
                thread.start()
            }
        } onCancelOrGracefulShutdown: {
            self.stop()
        }
    }

    /// How many dumps have been asked for, the first included.
    var dumpsRequested: Int {
        reader.withLock { $0.dumpsRequested }
    }

    /// Ends ``run()`` within one receive timeout.
    func stop() {
        stopped.store(true, ordering: .relaxed)
    }

    /// A dump page is at most 32 KB; twice that leaves room for any datagram the kernel sends here.
    private static func makeBuffer() -> [UInt8] {
        [UInt8](repeating: 0, count: 64 * 1024)
    }

    /// Receives one datagram, if any, and applies what it says.
    private func step(_ buffer: inout [UInt8]) -> Step {
        let records: [NetlinkRecord]
        switch socket.receive(into: &buffer) {
        case .nothing:
            return .quiet
        case .failed(let errno):
            return .failed(errno: errno)
        case .foreign(let portID):
            logger.warning("ignored a netlink datagram from port \(portID): only the kernel speaks for the neighbour table")
            return .quiet
        case .lost:
            logger.warning("neighbour notifications were lost (ENOBUFS); reading the table again")
            return relist()
        case .truncated(let size):
            logger.warning("a netlink datagram of \(size) bytes did not fit the buffer; reading the table again")
            return relist()
        case .datagram(let bytes):
            do {
                records = try NetlinkRecord.parse(bytes)
            } catch {
                logger.warning("unreadable netlink datagram (\(error)); reading the table again")
                return relist()
            }
        }
        var outcome = Step.handled
        for record in records {
            for action in reader.withLock({ $0.sync.receive(record) }) {
                if case .dumpFailed(let errno) = perform(action) { outcome = .dumpFailed(errno: errno) }
            }
        }
        warnIfFull()
        return outcome
    }

    private func relist() -> Step {
        guard let request = reader.withLock({ $0.sync.lostNotifications() }) else { return .handled }
        if case .dumpFailed(let errno) = perform(request) { return .dumpFailed(errno: errno) }
        return .handled
    }

    /// Carries out one action; a failed or refused dump comes back as `.dumpFailed`.
    private func perform(_ action: NeighbourTableSync.Action) -> Step {
        switch action {
        case .requestDump(let sequence):
            reader.withLock { $0.dumpsRequested += 1 }
            let failure = socket.send(NetlinkRecord.neighbourDumpRequest(sequence: sequence))
            guard failure != 0 else { return .handled }
            // The request never left, so no reply will end the dump: settle it as failed.
            for follow in reader.withLock({ $0.sync.requestFailed(errno: failure) }) { _ = perform(follow) }
            return .dumpFailed(errno: failure)
        case .apply(let message):
            cache.apply(message)
        case .replace(let snapshot, let notifications):
            cache.replace(with: snapshot, then: notifications)
        case .dumpFailed(let errno):
            return .dumpFailed(errno: errno)
        }
        return .handled
    }

    /// Says, at most once a minute, that entries were left out of a full cache.
    private func warnIfFull() {
        let dropped = cache.takeDropped()
        guard dropped > 0 else { return }
        let now = ContinuousClock.now
        let due: Int? = reader.withLock { reader in
            reader.droppedSinceWarning += dropped
            guard reader.lastFullWarning.map({ now - $0 >= .seconds(60) }) ?? true else { return nil }
            reader.lastFullWarning = now
            defer { reader.droppedSinceWarning = 0 }
            return reader.droppedSinceWarning
        }
        if let due {
            logger.warning("the neighbour cache is full (\(cache.capacity) entries): \(due) new entries left out; their phones get no match")
        }
    }
}
