public import Logging
import NIOCore
import NIOPosix

/// Opens an AMI connection, logs in, and runs work on the session until the work ends
/// or the connection fails.
public enum AMIConnector {
    /// - Parameters:
    ///   - configuration: Where and as whom to log in.
    ///   - logger: Where protocol problems are logged.
    ///   - body: The work to do with the logged-in session.
    /// - Throws: ``AMIClientError`` for connection, banner, login or protocol failures, or what `body` throws.
    public static func withSession<T: Sendable>(
        _ configuration: AMIConfiguration,
        logger: Logger,
        _ body: @escaping @Sendable (AMISession) async throws -> T
    ) async throws -> T {
        let channel: NIOAsyncChannel<AMIFrame, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.init(configuration.connectTimeout))
                .channelOption(.socketOption(.so_keepalive), value: 1)
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(AMIFrameDecoder(), maximumBufferSize: 4 * 1024 * 1024)
                        )
                        return try NIOAsyncChannel<AMIFrame, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw AMIClientError.connectionFailed("\(configuration.host):\(configuration.port): \(error)")
        }
        let session = AMISession(logger: logger)
        return try await channel.executeThenClose { inbound, outbound in
            try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    // Reads until the peer closes; then every waiter learns the connection is gone,
                    // and the work ends with the error its own wait reports.
                    do {
                        for try await frame in inbound { await session.receive(frame) }
                    } catch is CancellationError {
                    } catch {
                        logger.warning("AMI connection error: \(error)")
                    }
                    await session.close()
                    return nil
                }
                group.addTask {
                    for await buffer in session.outgoing { try await outbound.write(buffer) }
                    return nil
                }
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .milliseconds(200))
                        await session.expire(now: .now)
                    }
                    return nil
                }
                group.addTask {
                    try await login(session, configuration)
                    return try await body(session)
                }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let result { return result }
                }
                throw AMIClientError.connectionClosed
            }
        }
    }

    /// Waits for the banner, then logs in with the MD5 challenge, or in plain text where the server has no challenge.
    static func login(_ session: AMISession, _ configuration: AMIConfiguration) async throws {
        _ = try await session.banner(timeout: configuration.connectTimeout)
        let challenge = try await session.send(AMIAction("Challenge", [("AuthType", "MD5")]), timeout: configuration.requestTimeout)
        var fields = [("Username", configuration.username)]
        if challenge.isSuccess, let nonce = challenge.response["Challenge"] {
            let key = AMILoginKey.key(challenge: nonce, secret: configuration.secret)
            fields = [("AuthType", "MD5")] + fields + [("Key", key)]
        } else {
            fields.append(("Secret", configuration.secret))
        }
        fields.append(("Events", "system"))
        let login = try await session.send(AMIAction("Login", fields), timeout: configuration.requestTimeout)
        guard login.isSuccess else { throw AMIClientError.authenticationFailed(login.message.isEmpty ? "no reason given" : login.message) }
    }
}
