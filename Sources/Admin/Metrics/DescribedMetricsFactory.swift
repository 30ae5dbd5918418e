public import Metrics
public import Prometheus

/// The swift-metrics backend of the daemon: every metric goes into one Prometheus registry, with the
/// help text its module gave for it.
///
/// swift-prometheus's own factory registers everything without help text, and its registry refuses
/// one name registered with two texts; so every metric is made here, with its text, and none elsewhere.
public struct DescribedMetricsFactory: MetricsFactory {
    /// The registry `/metrics` prints.
    public let registry: PrometheusCollectorRegistry
    let descriptions: [String: String]
    let durationBuckets: [Duration]
    let valueBuckets: [Double]
    /// For unregistering only: it knows which registry call undoes which handler.
    private let unregistering: PrometheusMetricsFactory

    /// - Parameters:
    ///   - registry: Where the metrics are kept.
    ///   - descriptions: Help text by metric name; a name without one gets no `# HELP` line.
    ///   - durationBuckets: The histogram buckets of timers (the AMI sync takes milliseconds to a minute).
    public init(
        registry: PrometheusCollectorRegistry,
        descriptions: [String: String],
        durationBuckets: [Duration] = [
            .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        ]
    ) {
        self.registry = registry
        self.descriptions = descriptions
        self.durationBuckets = durationBuckets
        self.valueBuckets = PrometheusMetricsFactory(registry: registry).defaultValueHistogramBuckets
        self.unregistering = PrometheusMetricsFactory(registry: registry)
    }

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: descriptions[label] ?? "")
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: valueBuckets)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: durationBuckets)
    }

    public func destroyCounter(_ handler: any CounterHandler) { unregistering.destroyCounter(handler) }

    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { unregistering.destroyFloatingPointCounter(handler) }

    public func destroyRecorder(_ handler: any RecorderHandler) { unregistering.destroyRecorder(handler) }

    public func destroyMeter(_ handler: any MeterHandler) { unregistering.destroyMeter(handler) }

    public func destroyTimer(_ handler: any TimerHandler) { unregistering.destroyTimer(handler) }
}
