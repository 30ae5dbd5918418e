public import Foundation
public import Logging
public import Provisioning
public import ServiceLifecycle

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Fetches the directories of other instances in the background and keeps the last good copy of each.
///
/// A source that times out, fails, answers something that is not our Yealink
/// directory format, or sends more than 1 MB is skipped with a log line; its
/// previous entries stay. Phones are never made to wait for a source.
public struct PhonebookSourceFetcher: Service {
    let store: ProvisioningStore
    let cache: PhonebookCache
    let catalog: ProvisioningCatalog
    let logger: Logger
    let interval: Duration
    let timeout: TimeInterval

    public static let maximumSize = 1024 * 1024

    public init(
        store: ProvisioningStore, cache: PhonebookCache, catalog: ProvisioningCatalog, logger: Logger, interval: Duration = .seconds(300),
        timeout: TimeInterval = 5
    ) {
        self.store = store
        self.cache = cache
        self.catalog = catalog
        self.logger = logger
        self.interval = interval
        self.timeout = timeout
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await fetchAll()
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Fetches every configured source once.
    public func fetchAll() async {
        let sources = (try? store.phonebookSources()) ?? []
        cache.retain(sources: Set(sources.map(\.url)))
        await withTaskGroup(of: Void.self) { group in
            for source in sources {
                group.addTask { await fetch(source) }
            }
        }
        catalog.invalidate()
    }

    /// Fetches one source and updates the cache with it.
    /// - Returns: The number of entries taken, or why the source was skipped (its last good copy is kept then).
    @discardableResult
    func fetch(_ source: PhonebookSourceRecord) async -> Result<Int, SkippedSource> {
        let outcome = await download(source)
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

    private func download(_ source: PhonebookSourceRecord) async -> Result<[PhonebookEntry], SkippedSource> {
        guard let url = URL(string: source.url) else { return .failure(SkippedSource(reason: "not a URL")) }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.setValue("autoprovision phonebook", forHTTPHeaderField: "User-Agent")
        // The resource timeout bounds the whole exchange; the request timeout alone only bounds idle gaps.
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let status: Int
        let data: Data
        do {
            (status, data) = try await BoundedDownload.load(request, configuration: configuration, limit: Self.maximumSize)
        } catch {
            return .failure(SkippedSource(reason: "\(error)"))
        }
        guard status == 200 else { return .failure(SkippedSource(reason: "HTTP \(status)")) }
        guard let text = String(data: data, encoding: .utf8), let entries = PhonebookFormat.parseYealink(text) else {
            return .failure(SkippedSource(reason: "not a Yealink directory document"))
        }
        return .success(entries)
    }
}

/// Why an external phonebook source was skipped this time.
struct SkippedSource: Error, Equatable {
    var reason: String
}
