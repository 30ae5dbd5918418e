public import AsyncHTTPClient
public import Foundation
public import Logging
import NIOCore
import NIOPosix
public import Provisioning
public import ServiceLifecycle

/// Fetches the directories of other instances in the background and keeps the last good copy of each.
///
/// A source that times out, fails, answers something that is not our Yealink
/// directory format, or sends more than 1 MB is skipped with a log line; its
/// previous entries stay. Phones are never made to wait for a source.
///
/// While it runs, the service owns the process's one HTTP client: it is made when the service starts
/// and shut down, after the last request has ended, when the service stops.
public struct PhonebookSourceFetcher: Service {
    let store: ProvisioningStore
    let cache: PhonebookCache
    let catalog: ProvisioningCatalog
    let logger: Logger
    let interval: Duration
    let timeout: TimeInterval

    public static let maximumSize = 1024 * 1024

    /// - Parameters:
    ///   - store: Where the sources are listed.
    ///   - cache: Where the last good copy of each source is kept.
    ///   - catalog: Invalidated after each round, so phones get the merged directory.
    ///   - logger: Gets one line per skipped source.
    ///   - interval: The time between two rounds.
    ///   - timeout: Seconds one source has for its whole answer.
    public init(
        store: ProvisioningStore, cache: PhonebookCache, catalog: ProvisioningCatalog, logger: Logger,
        interval: Duration = .seconds(300), timeout: TimeInterval = 5
    ) {
        self.store = store
        self.cache = cache
        self.catalog = catalog
        self.logger = logger
        self.interval = interval
        self.timeout = timeout
    }

    public func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .milliseconds(Int64(timeout * 1000)), read: .milliseconds(Int64(timeout * 1000)))
        try await HTTPClient.withHTTPClient(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration, backgroundActivityLogger: logger
        ) { client in
            try? await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    await fetchAll(client: client)
                    try await Task.sleep(for: interval)
                }
            }
        }
    }

    /// Fetches every configured source once.
    /// - Parameter client: The client the requests go through.
    public func fetchAll(client: HTTPClient) async {
        let sources = (try? store.phonebookSources()) ?? []
        cache.retain(sources: Set(sources.map(\.url)))
        await withTaskGroup(of: Void.self) { group in
            for source in sources {
                group.addTask { await fetch(source, client: client) }
            }
        }
        catalog.invalidate()
    }

    /// Fetches one source and updates the cache with it.
    /// - Returns: The number of entries taken, or why the source was skipped (its last good copy is kept then).
    @discardableResult
    func fetch(_ source: PhonebookSourceRecord, client: HTTPClient) async -> Result<Int, SkippedSource> {
        let outcome = await download(source, client: client)
        switch outcome {
        case .success(let entries):
            cache.update(source: source.url, entries: entries)
            logger.debug("phonebook source \(source.url): \(entries.count) entries")
            return .success(entries.count)
        case .failure(let skipped):
            logger.warning("phonebook source \(source.url): \(skipped.reason); keeping its last good copy")
            return .failure(skipped)
        }
    }

    private func download(_ source: PhonebookSourceRecord, client: HTTPClient) async -> Result<[PhonebookEntry], SkippedSource> {
        let body: ByteBuffer
        do {
            body = try await BoundedDownload(client: client, limit: Self.maximumSize, timeout: timeout).load(
                source.url, userAgent: "autoprovision phonebook")
        } catch {
            return .failure(SkippedSource(reason: error.description))
        }
        guard let text = String(validating: body.readableBytesView, as: UTF8.self), let entries = PhonebookFormat.parseYealink(text) else {
            return .failure(SkippedSource(reason: "not a Yealink directory document"))
        }
        return .success(entries)
    }
}

/// Why an external phonebook source was skipped this time.
struct SkippedSource: Error, Equatable {
    var reason: String
}
