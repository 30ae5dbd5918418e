import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// The long-lived AMI connection of the daemon: keeps credentials and contacts in sync,
/// and carries check-sync notifies.
///
/// After each (re)connect it waits for Asterisk's `FullyBooted` event before its first
/// sync: Asterisk accepts logins while it boots but refuses the PJSIP actions until then.
/// It re-syncs on `FullyBooted` and `Reload` events and every
/// ``AMIConfiguration/syncInterval``. Any failure closes the connection and reconnects
/// after a capped exponential backoff.
public final class AMIClient: Service, Sendable {
    let configuration: AMIConfiguration
    /// Where synced credentials are published.
    public let credentials: AMICredentialSource
    let logger: Logger
    let onSync: @Sendable (AMIDirectory) -> Void
    let onFailure: @Sendable (String) -> Void
    let metrics: AMIMetrics
    private let current = Mutex<AMISession?>(nil)

    /// - Parameters:
    ///   - configuration: Where and as whom to connect.
    ///   - credentials: The source to keep up to date.
    ///   - logger: Where connection trouble is logged.
    ///   - onSync: Called after each successful sync (to re-render phones' files).
    ///   - onFailure: Called when a connection or sync fails, with the reason.
    ///   - metrics: Where the connection state and sync times are recorded.
    public init(
        configuration: AMIConfiguration,
        credentials: AMICredentialSource,
        logger: Logger,
        onSync: @escaping @Sendable (AMIDirectory) -> Void = { _ in },
        onFailure: @escaping @Sendable (String) -> Void = { _ in },
        metrics: AMIMetrics = AMIMetrics()
    ) {
        self.configuration = configuration
        self.credentials = credentials
        self.logger = logger
        self.onSync = onSync
        self.onFailure = onFailure
        self.metrics = metrics
    }

    /// The logged-in session, while connected.
    public var session: AMISession? { current.withLock { $0 } }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            try await self.reconnectLoop()
        }
    }

    private func reconnectLoop() async throws {
        var delay = configuration.backoff.initial
        while !Task.isCancelled {
            let started = ContinuousClock.now
            do {
                try await AMIConnector.withSession(configuration, logger: logger) { session in
                    try await self.serve(session)
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                current.withLock { $0 = nil }
                credentials.syncFailed("\(error)")
                onFailure("\(error)")
                let age = credentials.directory.map { " (serving credentials synced \(Int(-$0.syncedAt.timeIntervalSinceNow)) s ago)" } ?? ""
                logger.error("AMI \(configuration.host):\(configuration.port): \(error); retrying in \(delay)\(age)")
            }
            // A connection that lived a while resets the backoff; a flapping one keeps growing it.
            if ContinuousClock.now - started > .seconds(30) { delay = configuration.backoff.initial }
            try await Task.sleep(for: delay)
            delay = min(delay * 2, configuration.backoff.maximum)
        }
    }

    private func serve(_ session: AMISession) async throws {
        let version = await session.version ?? "?"
        logger.info("AMI connected to \(configuration.host):\(configuration.port) (AMI \(version))")
        metrics.connected(true)
        defer {
            current.withLock { $0 = nil }
            metrics.connected(false)
        }
        let (requests, requestSync) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let booted = BootSignal()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in requests {
                    // Published only once Asterisk answers actions, so reloads and check-syncs wait for its boot too.
                    self.current.withLock { $0 = session }
                    try await self.sync(session)
                }
            }
            group.addTask {
                try await Task.sleep(for: self.configuration.bootWait)
                guard !booted.seen else { return }
                self.logger.warning(
                    "AMI: no FullyBooted event within \(self.configuration.bootWait) of login; syncing anyway (if this repeats, give the AMI user read = system in manager.conf: without it no Reload event reaches the daemon either)"
                )
                requestSync.yield()
            }
            group.addTask {
                for await event in session.events {
                    switch event["Event"]?.lowercased() {
                    case "fullybooted", "reload":
                        self.logger.debug("AMI \(event["Event"]!) event: re-syncing credentials")
                        booted.note()
                        requestSync.yield()
                    case "contactstatus":
                        if let endpoint = event["EndpointName"], let uri = event["URI"], let status = event["ContactStatus"] {
                            self.credentials.contactChanged(endpoint: endpoint, uri: uri, status: status)
                        }
                    default:
                        break
                    }
                }
                throw AMIClientError.connectionClosed
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: self.configuration.syncInterval)
                    requestSync.yield()
                }
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: self.configuration.pingInterval)
                    _ = try await session.send(AMIAction("Ping"), timeout: self.configuration.requestTimeout)
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    private func sync(_ session: AMISession) async throws {
        let started = ContinuousClock.now
        let previous = credentials.directory
        credentials.syncStarted()
        let directory = try await AMIDirectorySync.fullSync(session, timeout: configuration.requestTimeout)
        credentials.update(directory)
        metrics.synced(in: ContinuousClock.now - started)
        for endpoint in directory.refused where previous?.endpoints[endpoint.name]?.problem != endpoint.problem {
            logger.warning("endpoint \(endpoint.name) cannot be provisioned: \(endpoint.problem ?? "")")
        }
        logger.info(
            "AMI sync: \(directory.provisionable.count) endpoints provisionable, \(directory.refused.count) not, in \(ContinuousClock.now - started)"
        )
        onSync(directory)
    }
}

/// Whether a session has seen `FullyBooted`: set by its event task, read by its boot wait.
private final class BootSignal: Sendable {
    private let value = Atomic<Bool>(false)

    var seen: Bool { value.load(ordering: .relaxed) }

    func note() { value.store(true, ordering: .relaxed) }
}
