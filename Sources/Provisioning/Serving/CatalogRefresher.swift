import Foundation
public import Logging
public import ServiceLifecycle

/// Keeps the served snapshot in step with the store and the credential source.
///
/// The CLI changes the store from another process, so the refresher polls the
/// store's revision counter (one indexed read) and rebuilds when it moved, when
/// the catalog was invalidated, or while some phone is waiting for credentials.
public struct CatalogRefresher: Service {
    let catalog: ProvisioningCatalog
    let builder: SnapshotBuilder
    let store: ProvisioningStore
    let logger: Logger
    let interval: Duration

    /// - Parameters:
    ///   - catalog: The catalog to publish into.
    ///   - builder: How snapshots are made.
    ///   - store: The store whose revision is watched.
    ///   - logger: Where rebuilds and render problems are logged.
    ///   - interval: How often the revision is checked.
    public init(
        catalog: ProvisioningCatalog, builder: SnapshotBuilder, store: ProvisioningStore, logger: Logger, interval: Duration = .milliseconds(250)
    ) {
        self.catalog = catalog
        self.builder = builder
        self.store = store
        self.logger = logger
        self.interval = interval
    }

    /// Builds and publishes a snapshot now.
    /// - Returns: The problems found while rendering.
    @discardableResult
    public func refresh() async throws(StoreError) -> [String] {
        let started = ContinuousClock.now
        let (snapshot, problems) = try await builder.build(logger: logger)
        catalog.publish(snapshot)
        logger.debug(
            "provisioning snapshot published",
            metadata: ["revision": "\(snapshot.revision)", "devices": "\(snapshot.deviceCount)", "took": "\(ContinuousClock.now - started)"]
        )
        return problems
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            try await self.watch()
        }
    }

    private func watch() async throws {
        var reported = Set<String>()
        var lastRevision: Int64 = -1
        var lastBuild = ContinuousClock.now
        var waiting = false
        while !Task.isCancelled {
            do {
                let revision = try store.revision()
                let stale = ContinuousClock.now - lastBuild > .seconds(60)
                let retry = waiting && ContinuousClock.now - lastBuild > .seconds(2)
                if revision != lastRevision || catalog.takeInvalidation() || stale || retry {
                    let problems = try await refresh()
                    lastRevision = catalog.snapshot.revision
                    lastBuild = ContinuousClock.now
                    waiting = catalog.snapshot.phonesWaitingForCredentials > 0
                    for problem in problems where !reported.contains(problem) {
                        logger.warning("\(problem)")
                        reported.insert(problem)
                    }
                }
            } catch {
                logger.error("cannot refresh the provisioning snapshot: \(error)")
            }
            try await Task.sleep(for: interval)
        }
    }
}
