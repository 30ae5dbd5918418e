public import Metrics

/// Counts multicast PnP SUBSCRIBEs by what became of them, for `/metrics`.
///
/// One counter per result, made up front, so a datagram only increments.
public struct PnPMetrics: Sendable {
    /// The series this type records, with their help text.
    public static let descriptions: [String: String] = [
        subscribes: "PnP datagrams sent to 224.0.1.75:5060, by what became of them."
    ]
    static let subscribes = "autoprovision_pnp_subscribes_total"

    /// What became of one datagram: the `result` label.
    enum Result: String, CaseIterable, Sendable {
        /// Answered with 200 OK and the NOTIFY carrying the provisioning URL.
        case answered
        /// The MAC lists refuse the phone: no answer.
        case refused
        /// A retransmission of a SUBSCRIBE already answered (same Call-ID).
        case retransmission
        /// More than the per-source rate: dropped.
        case rateLimited = "rate_limited"
        /// Not a PnP SUBSCRIBE that can be read.
        case invalid
    }

    private let counters: [Result: Counter]

    /// - Parameter factory: Where the counters are made; the bootstrapped system's by default.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        counters = Dictionary(
            uniqueKeysWithValues: Result.allCases.map {
                ($0, Counter(label: Self.subscribes, dimensions: [("result", $0.rawValue)], factory: factory))
            })
    }

    func count(_ result: Result) {
        counters[result]?.increment()
    }
}
