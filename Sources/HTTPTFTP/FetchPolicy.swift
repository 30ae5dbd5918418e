public import Provisioning

/// What HTTP and TFTP apply around the snapshot's answer: the ban list first, then the
/// fetch guard, then the count of failed lookups. Both transports ask it the same way.
public struct FetchPolicy: Sendable {
    /// The bans, and where failed lookups are counted; nil bans nobody.
    public var bans: BanSync?
    /// The kernel's neighbour table, for `fetch-guard lan`; nil refuses LAN phones under `lan`.
    public var neighbours: (any NeighbourLookup)?

    public init(bans: BanSync? = nil, neighbours: (any NeighbourLookup)? = nil) {
        self.bans = bans
        self.neighbours = neighbours
    }

    /// The answer for one request, or nil when the requester is banned (it gets 403 without a lookup).
    func answer(path: Substring, userAgent: String?, remoteIP: String?, snapshot: ProvisioningSnapshot) -> ProvisioningAnswer? {
        // One name per client, whichever socket family it came in on, so HTTP and TFTP count and ban alike.
        let remoteIP = remoteIP.map(IPNetwork.canonical)
        if let remoteIP, let bans, bans.bans.isBanned(remoteIP) { return nil }
        let outcome = FetchGuard.evaluate(
            path: path, answer: snapshot.answer(path: path, userAgent: userAgent, remoteIP: remoteIP), remoteIP: remoteIP,
            settings: snapshot.settings, neighbours: neighbours
        )
        if outcome.isFailure, let remoteIP { bans?.recordFailure(remoteIP, settings: snapshot.settings) }
        return outcome.answer
    }
}
