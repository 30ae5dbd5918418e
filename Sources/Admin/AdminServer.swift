import Hummingbird
public import Logging
import NIOCore
public import ServiceLifecycle

/// The admin listener: the web page and the REST API, on its own address (default 127.0.0.1:8481).
public struct AdminServer: Service {
    let host: String
    let port: Int
    let responder: RouterResponder<BasicRequestContext>
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void

    /// - Parameters:
    ///   - host: The address to bind (loopback by default: the API holds every setting).
    ///   - port: The port; 0 picks a free one, reported to `onListening`.
    ///   - environment: The store and hooks.
    ///   - token: The bearer token.
    ///   - assets: The page's files.
    ///   - metrics: What `GET /metrics` prints; without it there is no such route.
    public init(
        host: String, port: Int, environment: AdminEnvironment, token: String, assets: WebAssets, metrics: MetricsExporter? = nil, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.responder = AdminRouter.build(environment: environment, token: token, assets: assets, metrics: metrics).buildResponder()
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let logger = self.logger
        let onListening = self.onListening
        let host = self.host
        let application = Application(
            responder: responder,
            server: .http1(configuration: .init(additionalChannelHandlers: [ExpectContinueHandler()])),
            configuration: .init(address: .hostname(host, port: port), serverName: "autoprovision-admin"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("admin page and API listening on http://\(host):\(port)/")
                await onListening(port)
            },
            logger: logger
        )
        try await application.run()
    }
}
