import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One HTTP GET whose body is cut off at a size limit: a source that announces or sends more is
/// dropped as soon as it crosses the limit, so it never costs more memory than the limit.
final class BoundedDownload: NSObject, URLSessionDataDelegate, Sendable {
    /// Why a download gave no body.
    enum Failure: Error, CustomStringConvertible {
        case tooLarge(limit: Int)
        case transport(String)

        var description: String {
            switch self {
            case .tooLarge(let limit): "over \(limit / 1_048_576) MB"
            case .transport(let reason): reason
            }
        }
    }

    private struct State {
        var status = 0
        var body = Data()
        var continuation: CheckedContinuation<(status: Int, body: Data), any Error>?
    }

    private let limit: Int
    private let state = Mutex(State())

    private init(limit: Int) {
        self.limit = limit
    }

    /// Fetches `request`; the status and body, or ``Failure``.
    static func load(_ request: URLRequest, configuration: URLSessionConfiguration, limit: Int) async throws -> (status: Int, body: Data) {
        let download = BoundedDownload(limit: limit)
        // Callbacks run on the session's own queue: no thread of the concurrency pool waits on the network.
        let session = URLSession(configuration: configuration, delegate: download, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        return try await withCheckedThrowingContinuation { continuation in
            download.state.withLock { $0.continuation = continuation }
            session.dataTask(with: request).resume()
        }
    }

    private func finish(_ result: Result<(status: Int, body: Data), any Error>) {
        let continuation = state.withLock { state in
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(with: result)
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        if response.expectedContentLength > Int64(limit) {
            finish(.failure(Failure.tooLarge(limit: limit)))
            completionHandler(.cancel)
            return
        }
        state.withLock { $0.status = (response as? HTTPURLResponse)?.statusCode ?? 0 }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let over = state.withLock { state in
            state.body.append(data)
            return state.body.count > limit
        }
        if over {
            finish(.failure(Failure.tooLarge(limit: limit)))
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        if let error {
            finish(.failure(Failure.transport(error.localizedDescription)))
        } else {
            finish(.success(state.withLock { ($0.status, $0.body) }))
        }
    }
}
