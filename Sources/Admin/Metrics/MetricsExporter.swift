import Foundation
import Metrics
public import Prometheus
import Provisioning
import Synchronization

/// What `GET /metrics` on the admin listener prints: the Prometheus registry every module records
/// into through swift-metrics, plus gauges read from the store when Prometheus scrapes.
///
/// The store gauges cost a scrape, not a request: the device counts are read again only when the
/// store's revision moved, the running bans every time (one indexed query).
public final class MetricsExporter: Sendable {
    /// The series this type records, with their help text.
    public static let descriptions: [String: String] = [
        devices: "Phones in the store.",
        devicesBound: "Phones in the store with at least one line bound to an extension.",
        bannedAddresses: "Addresses banned now for guessing provisioning URLs.",
    ]
    static let devices = "autoprovision_devices"
    static let devicesBound = "autoprovision_devices_bound"
    static let bannedAddresses = "autoprovision_banned_addresses"

    /// The registry printed at `/metrics`.
    public let registry: PrometheusCollectorRegistry
    /// The factory to bootstrap swift-metrics with, so every module's metrics land in ``registry``.
    public let factory: DescribedMetricsFactory
    private let deviceGauge: Metrics.Gauge
    private let boundGauge: Metrics.Gauge
    private let bannedGauge: Metrics.Gauge
    /// The device counts, with the store revision they were read at.
    private let counted = Mutex<(revision: Int64, devices: Int, bound: Int)?>(nil)

    /// - Parameter descriptions: Help text by metric name, from every module that records; this type's own are added.
    public init(descriptions: [String: String]) {
        registry = PrometheusCollectorRegistry()
        factory = DescribedMetricsFactory(registry: registry, descriptions: descriptions.merging(Self.descriptions) { first, _ in first })
        deviceGauge = Metrics.Gauge(label: Self.devices, factory: factory)
        boundGauge = Metrics.Gauge(label: Self.devicesBound, factory: factory)
        bannedGauge = Metrics.Gauge(label: Self.bannedAddresses, factory: factory)
    }

    /// Brings the store gauges up to date, then prints every metric in the text format 0.0.4.
    /// - Parameter store: Where phones and bans are counted.
    func scrape(store: ProvisioningStore) throws(StoreError) -> [UInt8] {
        let revision = try store.revision()
        let known = counted.withLock { $0 }
        if known?.revision != revision {
            let devices = try store.devices()
            let bound = devices.count { !$0.lines.isEmpty }
            deviceGauge.record(devices.count)
            boundGauge.record(bound)
            counted.withLock { $0 = (revision, devices.count, bound) }
        }
        bannedGauge.record(try store.bans().count)
        var text: [UInt8] = []
        registry.emit(into: &text)
        return text
    }
}
