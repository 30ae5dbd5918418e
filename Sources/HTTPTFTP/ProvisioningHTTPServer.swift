public import Logging
public import NIOCore
import NIOPosix
public import Provisioning
public import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// The HTTP server phones fetch their files from (default port 8480), and, given a
/// ``ProvisioningTLS``, the HTTPS server (default port 8443) with the same routes, files, guard and bans.
///
/// Built directly on a NIO channel pipeline rather than a routing framework:
/// it serves one kind of request, and a power cut brings thousands of phones
/// back at once, so the per-request path is kept as short as the socket allows.
public struct ProvisioningHTTPServer: Service {
    /// Where to listen.
    public var host: String
    public var port: Int
    let catalog: ProvisioningCatalog
    let recorder: FetchRecorder?
    let policy: FetchPolicy
    let logger: Logger
    let group: (any EventLoopGroup)?
    let tls: ProvisioningTLS?
    let idleTimeout: TimeAmount
    let onBound: @Sendable (SocketAddress) -> Void

    /// - Parameters:
    ///   - host: The address to bind (`0.0.0.0` for every interface).
    ///   - port: The TCP port; 0 picks a free one (reported through `onBound`).
    ///   - catalog: The files to serve.
    ///   - recorder: Where fetches are noted, if anywhere.
    ///   - policy: The bans and the fetch guard.
    ///   - logger: Where refusals and errors are logged.
    ///   - group: The event loops to run on; the shared singleton group when nil.
    ///   - tls: Serve HTTPS with this certificate; plain HTTP when nil.
    ///   - idleTimeout: A connection that sends nothing for this long (up to twice as long after a request) is closed.
    ///   - onBound: Called with the bound address once listening.
    public init(
        host: String,
        port: Int,
        catalog: ProvisioningCatalog,
        recorder: FetchRecorder?,
        policy: FetchPolicy = FetchPolicy(),
        logger: Logger,
        group: (any EventLoopGroup)? = nil,
        tls: ProvisioningTLS? = nil,
        idleTimeout: TimeAmount = .seconds(30),
        onBound: @escaping @Sendable (SocketAddress) -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.catalog = catalog
        self.recorder = recorder
        self.policy = policy
        self.logger = logger
        self.group = group
        self.tls = tls
        self.idleTimeout = idleTimeout
        self.onBound = onBound
    }

    public func run() async throws {
        let catalog = catalog
        let recorder = recorder
        let policy = policy
        let logger = logger
        let tls = tls
        let idleTimeout = idleTimeout
        let name = tls == nil ? "HTTP" : "HTTPS"
        let group = group ?? MultiThreadedEventLoopGroup.singleton
        var loopStates: [ObjectIdentifier: HTTPLoopState] = [:]
        for (lane, eventLoop) in group.makeIterator().enumerated() {
            loopStates[ObjectIdentifier(eventLoop)] = HTTPLoopState(eventLoop: eventLoop, lane: lane, metrics: policy.metrics)
        }
        let states = loopStates
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    var proof: DeviceProof?
                    if let tls {
                        proof = try tls.addHandlers(to: channel, address: channel.remoteAddress?.ipAddress ?? "?")
                        guard proof != nil else { return }
                    }
                    let loopState = states[ObjectIdentifier(channel.eventLoop)]
                    try sync.addHandler(
                        ProvisioningHTTPHandler(
                            catalog: catalog, recorder: recorder, policy: policy, proof: proof, loopState: loopState, idleTimeout: idleTimeout,
                            logger: logger))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch let error as IOError {
            throw ProvisioningHTTPServerError(scheme: name, host: host, port: port, reason: String(cString: strerror(error.errnoCode)))
        } catch {
            throw ProvisioningHTTPServerError(scheme: name, host: host, port: port, reason: "\(error)")
        }
        if let address = channel.localAddress {
            logger.info("provisioning \(name) listening on \(address)")
            onBound(address)
        }
        // Closing the listener on cancellation too: a failing sibling service cancels the group.
        await withTaskCancellationOrGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            channel.close(promise: nil)
        }
    }
}

/// The provisioning HTTP server could not listen.
public struct ProvisioningHTTPServerError: Error, CustomStringConvertible {
    /// HTTP or HTTPS.
    public let scheme: String
    public let host: String
    public let port: Int
    public let reason: String

    public var description: String {
        "cannot listen for provisioning \(scheme) on \(host):\(port): \(reason) (is another server using the port? change it with 'settings set \(scheme.lowercased())-port')"
    }
}
