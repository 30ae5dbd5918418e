import Logging
import NIOCore
import Testing

@testable import AMI

/// The session's bookkeeping without a socket.
@Suite struct AMISessionTests {
    func message(_ headers: [(String, String)]) -> AMIFrame {
        .message(AMIMessage(headers.map { (name: $0.0, value: $0.1) }))
    }

    @Test func repliesAreMatchedByActionIDNotByOrder() async throws {
        let session = AMISession(logger: Logger(label: "t"))
        async let first = session.send(AMIAction("Ping"))
        async let second = session.send(AMIAction("PJSIPShowEndpoints"))
        var written: [String] = []
        for await buffer in session.outgoing {
            written.append(String(buffer: buffer))
            if written.count == 2 { break }
        }
        let ids = written.map { text in text.split(separator: "\r\n").first { $0.hasPrefix("ActionID: ") }!.dropFirst(10) }.map(String.init)
        let listID = written[0].hasPrefix("Action: PJSIPShowEndpoints") ? ids[0] : ids[1]
        let pingID = listID == ids[0] ? ids[1] : ids[0]
        await session.receive(message([("Response", "Success"), ("ActionID", listID), ("EventList", "start")]))
        await session.receive(message([("Event", "FullyBooted"), ("Privilege", "system,all")]))
        await session.receive(message([("Event", "EndpointList"), ("ActionID", listID), ("ObjectName", "201")]))
        await session.receive(message([("Response", "Success"), ("ActionID", pingID), ("Ping", "Pong")]))
        await session.receive(message([("Event", "EndpointListComplete"), ("ActionID", listID), ("EventList", "Complete")]))
        #expect(try await first.response["Ping"] == "Pong")
        #expect(try await second.events.map { $0["ObjectName"] } == ["201"])
        var events = session.events.makeAsyncIterator()
        #expect(await events.next()?["Event"] == "FullyBooted")
    }

    @Test func anUnknownResponseIsAnError() async throws {
        let session = AMISession(logger: Logger(label: "t"))
        let reply = Task { try await session.send(AMIAction("Ping")) }
        var iterator = session.outgoing.makeAsyncIterator()
        _ = await iterator.next()
        await session.receive(message([("Response", "Maybe"), ("ActionID", "ap-1")]))
        await #expect(throws: AMIClientError.unexpectedResponse(action: "Ping", response: "Maybe")) { try await reply.value }
    }

    @Test func unansweredRequestsExpireAndCloseFailsTheRest() async throws {
        let session = AMISession(logger: Logger(label: "t"))
        let late = Task { try await session.send(AMIAction("Ping"), timeout: .milliseconds(1)) }
        let open = Task { try await session.send(AMIAction("Ping"), timeout: .seconds(60)) }
        var iterator = session.outgoing.makeAsyncIterator()
        _ = await iterator.next()
        _ = await iterator.next()
        try await Task.sleep(for: .milliseconds(10))
        await session.expire(now: .now)
        await #expect(throws: AMIClientError.timeout(action: "Ping")) { try await late.value }
        await session.close()
        await #expect(throws: AMIClientError.connectionClosed) { try await open.value }
        await #expect(throws: AMIClientError.connectionClosed) { try await session.send(AMIAction("Ping")) }
    }
}
