public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import Logging
public import Provisioning
public import ServiceLifecycle

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

    /// The completion-handler API, bridged: its callback runs on URLSession's own queue, so no thread
    /// of the shared concurrency pool waits on the network (the async API blocks one on Linux).
    static func load(_ request: URLRequest, session: URLSession) async throws -> (Data, URLResponse) {
        try await withCheckedThrowingContinuation { continuation in
            session.dataTask(with: request) { data, response, error in
                if let data, let response {
                    continuation.resume(returning: (data, response))
                } else {
                    continuation.resume(throwing: error ?? URLError(.badServerResponse))
                }
            }.resume()
        }
    }

    func fetch(_ source: PhonebookSourceRecord) async {
        guard let url = URL(string: source.url) else { return }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.setValue("autoprovision phonebook", forHTTPHeaderField: "User-Agent")
        // The resource timeout bounds the whole exchange; the request timeout alone only bounds idle gaps.
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        do {
            let (data, response) = try await Self.load(request, session: session)
            guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
                logger.warning("phonebook source \(source.url): HTTP \((response as? HTTPURLResponse)?.statusCode ?? 0); keeping its last good copy")
                return
            }
            guard data.count <= Self.maximumSize else {
                logger.warning("phonebook source \(source.url): \(data.count) bytes, over 1 MB; keeping its last good copy")
                return
            }
            guard let text = String(data: data, encoding: .utf8), let entries = PhonebookFormat.parseYealink(text) else {
                logger.warning("phonebook source \(source.url): not a Yealink directory document; keeping its last good copy")
                return
            }
            cache.update(source: source.url, entries: entries)
            logger.debug("phonebook source \(source.url): \(entries.count) entries")
        } catch {
            logger.warning("phonebook source \(source.url): \(error.localizedDescription); keeping its last good copy")
        }
    }
}
