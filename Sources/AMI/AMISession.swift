import Logging
import NIOCore

/// One AMI connection's request/response bookkeeping.
///
/// Asterisk interleaves events with responses, so replies are matched by
/// `ActionID`, never by order. List actions collect their item events until
/// the `EventList: Complete` event. Events that answer no pending action go to
/// ``events``. Every request has a deadline; ``expire(now:)`` fails late ones.
public actor AMISession {
    private struct Pending {
        var action: String
        var deadline: ContinuousClock.Instant
        var response: AMIMessage?
        var events: [AMIMessage] = []
        var continuation: CheckedContinuation<AMIResult, any Error>
    }

    private var pending: [String: Pending] = [:]
    private var counter = 0
    private var closed = false
    private var bannerVersion: String?
    private var bannerWaiters: [(deadline: ContinuousClock.Instant, continuation: CheckedContinuation<String, any Error>)] = []
    private let writes: AsyncStream<ByteBuffer>.Continuation
    private let eventSink: AsyncStream<AMIMessage>.Continuation
    private let logger: Logger

    /// Unsolicited events (FullyBooted, Reload, ContactStatus...).
    public nonisolated let events: AsyncStream<AMIMessage>
    /// Bytes to write to the socket, in order.
    nonisolated let outgoing: AsyncStream<ByteBuffer>

    init(logger: Logger) {
        self.logger = logger
        (events, eventSink) = AsyncStream.makeStream(of: AMIMessage.self, bufferingPolicy: .bufferingNewest(10_000))
        (outgoing, writes) = AsyncStream.makeStream(of: ByteBuffer.self)
    }

    /// The server's AMI version, once the banner arrived.
    public var version: String? { bannerVersion }

    /// Waits for the banner.
    /// - Throws: ``AMIClientError/noBanner`` when it has not come within `timeout`.
    func banner(timeout: Duration) async throws -> String {
        if let bannerVersion { return bannerVersion }
        if closed { throw AMIClientError.connectionClosed }
        return try await withCheckedThrowingContinuation { bannerWaiters.append((.now + timeout, $0)) }
    }

    /// Sends an action and waits for its answer.
    /// - Parameters:
    ///   - action: What to send.
    ///   - timeout: How long to wait for the whole answer (all list items).
    /// - Throws: ``AMIClientError/timeout(action:)``, ``AMIClientError/connectionClosed``, or an encoding error.
    public func send(_ action: AMIAction, timeout: Duration = .seconds(10)) async throws -> AMIResult {
        guard !closed else { throw AMIClientError.connectionClosed }
        counter += 1
        let id = "ap-\(counter)"
        var buffer = ByteBuffer()
        try action.encode(actionID: id, into: &buffer)
        logger.trace("AMI -> \(action)")
        return try await withCheckedThrowingContinuation { continuation in
            pending[id] = Pending(action: action.name, deadline: .now + timeout, continuation: continuation)
            writes.yield(buffer)
        }
    }

    /// Routes one incoming frame.
    func receive(_ frame: AMIFrame) {
        switch frame {
        case .banner(let version):
            bannerVersion = version
            for waiter in bannerWaiters { waiter.continuation.resume(returning: version) }
            bannerWaiters = []
        case .message(let message):
            route(message)
        }
    }

    private func route(_ message: AMIMessage) {
        guard let id = message.actionID, var request = pending[id] else {
            if message.isEvent {
                eventSink.yield(message)
            } else {
                logger.debug("AMI message answers no pending action", metadata: ["headers": "\(message)"])
            }
            return
        }
        if message.isResponse && request.response == nil {
            let kind = message["Response"]!.lowercased()
            guard ["success", "error", "follows", "goodbye"].contains(kind) else {
                pending[id] = nil
                request.continuation.resume(throwing: AMIClientError.unexpectedResponse(action: request.action, response: message["Response"]!))
                return
            }
            if message["EventList"]?.lowercased() == "start" {
                request.response = message
                pending[id] = request
            } else {
                pending[id] = nil
                request.continuation.resume(returning: AMIResult(response: message, events: []))
            }
            return
        }
        guard message.isEvent else { return }
        if message["EventList"]?.lowercased() == "complete" {
            pending[id] = nil
            request.continuation.resume(returning: AMIResult(response: request.response ?? message, events: request.events))
        } else {
            request.events.append(message)
            pending[id] = request
        }
    }

    /// Fails requests whose deadline passed.
    func expire(now: ContinuousClock.Instant) {
        let (late, waiting) = (bannerWaiters.filter { $0.deadline < now }, bannerWaiters.filter { $0.deadline >= now })
        bannerWaiters = waiting
        for waiter in late { waiter.continuation.resume(throwing: AMIClientError.noBanner) }
        for (id, request) in pending where request.deadline < now {
            pending[id] = nil
            request.continuation.resume(throwing: AMIClientError.timeout(action: request.action))
        }
    }

    /// Fails everything still waiting; called when the connection ends.
    func close() {
        closed = true
        for (_, request) in pending { request.continuation.resume(throwing: AMIClientError.connectionClosed) }
        pending = [:]
        for waiter in bannerWaiters { waiter.continuation.resume(throwing: AMIClientError.connectionClosed) }
        bannerWaiters = []
        writes.finish()
        eventSink.finish()
    }
}
