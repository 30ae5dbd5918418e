public import Logging
import NIOCore
import NIOPosix
public import ServiceLifecycle

/// The FastAGI server Asterisk connects to from `AGI(agi://host:port/script)` (default 127.0.0.1:4573).
///
/// One child task per connection; each session has a deadline, so a client
/// that sends nothing, or a script that stalls, cannot pin a connection.
public struct FastAGIServer: Service {
    public var host: String
    public var port: Int
    let scripts: [String: any AGIScript]
    let logger: Logger
    let sessionTimeout: Duration
    let onBound: @Sendable (Int) -> Void

    /// - Parameters:
    ///   - host: The address to bind; loopback unless Asterisk runs elsewhere.
    ///   - port: The TCP port (4573 is FastAGI's default; 0 picks a free one).
    ///   - scripts: The scripts by path (`bind`).
    ///   - logger: Where sessions and errors are logged.
    ///   - sessionTimeout: The longest a session may last.
    ///   - onBound: Called with the bound port once listening.
    public init(
        host: String, port: Int, scripts: [String: any AGIScript], logger: Logger, sessionTimeout: Duration = .seconds(15),
        onBound: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.scripts = scripts
        self.logger = logger
        self.sessionTimeout = sessionTimeout
        self.onBound = onBound
    }

    public func run() async throws {
        let server: NIOAsyncChannel<NIOAsyncChannel<AGIInbound, ByteBuffer>, Never>
        do {
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 256)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AGIInboundDecoder(), maximumBufferSize: 64 * 1024))
                        return try NIOAsyncChannel<AGIInbound, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw FastAGIServerError(host: host, port: port, reason: "\(error)")
        }
        logger.info("FastAGI listening on \(host):\(server.channel.localAddress?.port ?? port)")
        onBound(server.channel.localAddress?.port ?? port)
        // Closing the listener on cancellation too: a failing sibling service cancels the group.
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections {
                        group.addTask { await handle(connection) }
                    }
                }
            }
        } onCancelOrGracefulShutdown: {
            server.channel.close(promise: nil)
        }
    }

    private func handle(_ connection: NIOAsyncChannel<AGIInbound, ByteBuffer>) async {
        let peer = connection.channel.remoteAddress?.description ?? "?"
        var afterCall: (@Sendable () async -> Void)?
        do {
            afterCall = try await connection.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: (@Sendable () async -> Void)?.self) { group in
                    group.addTask {
                        var iterator = inbound.makeAsyncIterator()
                        guard case .environment(let environment)? = try await iterator.next() else { throw AGICallError.closed }
                        let call = AGICall(environment: environment, inbound: iterator, outbound: outbound)
                        guard let script = scripts[environment.script] else {
                            logger.warning(
                                "AGI from \(peer): unknown script '\(environment.script)' (known: \(scripts.keys.sorted().joined(separator: ", ")))")
                            _ = try? await call.setVariable("PROVISION_STATUS", "ERROR")
                            return nil
                        }
                        return try await script.run(call)
                    }
                    group.addTask {
                        try await Task.sleep(for: sessionTimeout)
                        throw AGICallError.timedOut
                    }
                    defer { group.cancelAll() }
                    return try await group.next() ?? nil
                }
            }
        } catch {
            logger.warning("AGI session from \(peer) ended: \(error)")
        }
        // The connection is closed: Asterisk goes on with the dialplan and the call ends.
        if let afterCall { await afterCall() }
    }
}

/// The FastAGI port could not be bound.
public struct FastAGIServerError: Error, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let reason: String
    public var description: String { "cannot listen for FastAGI on \(host):\(port): \(reason)" }
}
