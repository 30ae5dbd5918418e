public import Logging
import NIOCore
import NIOPosix
public import Provisioning
public import ServiceLifecycle

/// The read-only TFTP server (UDP 69 by default) for phones that follow DHCP option 66.
///
/// It serves the same names, bytes and MAC lists as the HTTP server. Without
/// the privilege to bind its port it logs one line and stays off, so the rest
/// of the daemon still runs.
public struct TFTPServer: Service {
    public var host: String
    public var port: Int
    let catalog: ProvisioningCatalog
    let recorder: FetchRecorder?
    let policy: FetchPolicy
    let logger: Logger
    let onBound: @Sendable (Int) -> Void
    let onUnavailable: @Sendable () -> Void

    /// - Parameters:
    ///   - onBound: Called with the bound port once listening.
    ///   - onUnavailable: Called instead when the port cannot be bound and TFTP stays off.
    public init(
        host: String, port: Int, catalog: ProvisioningCatalog, recorder: FetchRecorder?, policy: FetchPolicy = FetchPolicy(), logger: Logger,
        onBound: @escaping @Sendable (Int) -> Void = { _ in }, onUnavailable: @escaping @Sendable () -> Void = {}
    ) {
        self.host = host
        self.port = port
        self.catalog = catalog
        self.recorder = recorder
        self.policy = policy
        self.logger = logger
        self.onBound = onBound
        self.onUnavailable = onUnavailable
    }

    public func run() async throws {
        let catalog = catalog
        let recorder = recorder
        let policy = policy
        let logger = logger
        let limits = TFTPLimits()
        let runner = TFTPTransferRunner()
        let channel: any Channel
        do {
            channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            TFTPRequestHandler(
                                catalog: catalog, recorder: recorder, policy: policy, logger: logger, limits: limits, runner: runner)
                        )
                    }
                }
                .bind(host: host, port: port)
                .get()
        } catch {
            logger.error("TFTP is off: cannot listen on UDP \(host):\(port) (\(error)); port 69 needs root or CAP_NET_BIND_SERVICE")
            onUnavailable()
            // Stay in the group until it stops: a service that returns early would stop the daemon.
            try? await gracefulShutdown()
            return
        }
        let bound = channel.localAddress?.port ?? port
        logger.info("TFTP listening on \(host):\(bound)")
        onBound(bound)
        await withTaskCancellationOrGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            channel.close(promise: nil)
        }
        await runner.stop()
    }
}
