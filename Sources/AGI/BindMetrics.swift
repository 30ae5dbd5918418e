public import Metrics
import Provisioning

/// Counts star-code binds by the `PROVISION_STATUS` they ended with, for `/metrics`.
///
/// One counter per status, made up front (a bind reads 0 until it happens), so a call only increments.
public struct BindMetrics: Sendable {
    /// The series this type records, with their help text.
    public static let descriptions: [String: String] = [
        binds: "Star-code binds, by the PROVISION_STATUS they set."
    ]
    static let binds = "autoprovision_agi_binds_total"

    private let counters: [ProvisionStatus: Counter]

    /// - Parameter factory: Where the counters are made; the bootstrapped system's by default.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        counters = Dictionary(
            uniqueKeysWithValues: ProvisionStatus.allCases.map {
                ($0, Counter(label: Self.binds, dimensions: [("status", $0.rawValue)], factory: factory))
            })
    }

    /// Counts one bind that ended with `status`.
    func bind(_ status: ProvisionStatus) {
        counters[status]?.increment()
    }
}
