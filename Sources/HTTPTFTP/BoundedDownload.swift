import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One HTTP GET whose body is cut off at a size limit and whose whole exchange is bounded in time.
///
/// A source that announces or sends more than the limit is dropped as soon as it crosses it, so it never
/// costs more memory than the limit; one that trickles its answer is dropped when the time is up.
struct BoundedDownload: Sendable {
    /// Why a download gave no body. Its description is the reason the log line and the admin page show.
    enum Failure: Error, Equatable, CustomStringConvertible {
        case notHTTP
        case status(Int)
        case tooLarge(limit: Int)
        case timedOut(seconds: Double)
        case transport(String)

        var description: String {
            switch self {
            case .notHTTP: "not an http or https URL"
            case .status(let code): "HTTP \(code)"
            case .tooLarge(let limit): "over \(limit / 1_048_576) MB"
            case .timedOut(let seconds): "no complete answer within \(seconds == seconds.rounded() ? "\(Int(seconds))" : "\(seconds)") s"
            case .transport(let reason): reason
            }
        }
    }

    let client: HTTPClient
    /// The most body bytes taken.
    let limit: Int
    /// Seconds for the whole exchange: connecting, the head and the last byte of the body.
    let timeout: Double

    /// Fetches `url` with GET; the body of a 200 answer, or why there is none.
    func load(_ url: String, userAgent: String) async throws(Failure) -> ByteBuffer {
        let scheme = url.prefix { $0 != ":" }.lowercased()
        guard scheme == "http" || scheme == "https", url.dropFirst(scheme.count).hasPrefix("://") else { throw .notHTTP }
        do {
            return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask { try await get(url, userAgent: userAgent) }
                // The client's own deadline ends with the head; this one also covers the body.
                group.addTask {
                    try await Task.sleep(for: .seconds(timeout))
                    return nil
                }
                defer { group.cancelAll() }
                guard case .some(.some(let body)) = try await group.next() else { throw Failure.timedOut(seconds: timeout) }
                return body
            }
        } catch let failure as Failure {
            throw failure
        } catch is NIOTooManyBytesError {
            throw .tooLarge(limit: limit)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw .timedOut(seconds: timeout)
        } catch let error as HTTPClientError {
            throw .transport(error.shortDescription.lowercased())
        } catch {
            throw .transport("\(error)")
        }
    }

    private func get(_ url: String, userAgent: String) async throws -> ByteBuffer {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: userAgent)
        let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
        guard response.status == .ok else { throw Failure.status(Int(response.status.code)) }
        // Refuses an announced length over the limit before reading, and stops reading once the limit is crossed.
        return try await response.body.collect(upTo: limit)
    }
}
