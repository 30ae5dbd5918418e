public import Provisioning

/// What HTTP and TFTP apply around the snapshot's answer: the ban list first, then the
/// fetch guard, then the count of failed lookups. Both transports ask it the same way.
public struct FetchPolicy: Sendable {
    /// The bans, and where failed lookups are counted; nil bans nobody.
    public var bans: BanSync?
    /// The kernel's neighbour table, for `fetch-guard lan`; nil refuses LAN phones under `lan`.
    public var neighbours: (any NeighbourLookup)?
    /// Where both transports count what they answer.
    public var metrics: ServingMetrics

    /// - Parameters:
    ///   - bans: The bans, and where failed lookups are counted; nil bans nobody.
    ///   - neighbours: The kernel's neighbour table; nil refuses LAN phones under `lan`.
    ///   - metrics: Where requests, transfers and refusals are counted.
    public init(bans: BanSync? = nil, neighbours: (any NeighbourLookup)? = nil, metrics: ServingMetrics = ServingMetrics()) {
        self.bans = bans
        self.neighbours = neighbours
        self.metrics = metrics
    }

    /// Who is asking, for ``answer(path:userAgent:requester:snapshot:)``: once per connection.
    func requester(_ address: String?) -> Requester {
        Requester(address: address, neighbours: neighbours)
    }

    /// The answer for one request, or nil when the requester is banned (it gets 403 without a lookup).
    func answer(path: Substring, userAgent: String?, requester: Requester, snapshot: ProvisioningSnapshot) -> ProvisioningAnswer? {
        if let address = requester.address, let bans, bans.bans.isBanned(address) {
            metrics.refusal(.banned)
            return nil
        }
        let outcome = FetchGuard.evaluate(
            path: path, answer: snapshot.answer(path: path, userAgent: userAgent, remoteIP: requester.address), requester: requester,
            settings: snapshot.settings
        )
        if outcome.isFailure, let address = requester.address { bans?.recordFailure(address, settings: snapshot.settings) }
        if let refusal = outcome.refusal { metrics.refusal(GuardRefusal(refusal)) }
        return outcome.answer
    }
}
