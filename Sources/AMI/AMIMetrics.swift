public import Metrics

/// The AMI connection's state and the time each directory sync takes, for `/metrics`.
public struct AMIMetrics: Sendable {
    /// The series this type records, with their help text.
    public static let descriptions: [String: String] = [
        connected: "1 while the AMI connection is logged in, else 0.",
        syncSeconds: "How long each full sync of Asterisk's endpoint directory took.",
    ]
    static let connected = "autoprovision_ami_connected"
    static let syncSeconds = "autoprovision_ami_sync_seconds"

    private let connection: Gauge
    private let sync: Timer

    /// - Parameter factory: Where the metrics are made; the bootstrapped system's by default.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        connection = Gauge(label: Self.connected, factory: factory)
        sync = Timer(label: Self.syncSeconds, factory: factory)
        connection.record(0)
    }

    func connected(_ isConnected: Bool) {
        connection.record(isConnected ? 1 : 0)
    }

    func synced(in duration: Duration) {
        sync.record(duration: duration)
    }
}
