import NIOCore
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
        guard case .answer(let answer) = decide(path: path, userAgent: userAgent, requester: requester, snapshot: snapshot, mayAwaitNeighbour: false)
        else { return nil }
        return answer
    }

    /// Whether `requester` gets `mac`'s own file as it is: not banned, and admitted by the fetch guard.
    /// Nothing is counted; a request this refuses is decided again by ``decide(path:userAgent:requester:snapshot:mayAwaitNeighbour:)``.
    func admitsOwnFile(of mac: MACAddress, path: Substring, requester: Requester, settings: PnPSettings) -> Bool {
        if let address = requester.address, let bans, bans.bans.isBanned(address) { return false }
        return FetchGuard.refusal(forFileOf: mac, path: path, requester: requester, settings: settings) == nil
    }

    /// What one request gets.
    enum Decision {
        /// The requester is banned: 403 without a lookup.
        case banned
        case answer(ProvisioningAnswer)
        /// The guard would refuse the file only because of what the neighbour cache holds for the requester's
        /// address (nothing, or another phone's MAC): ask again after ``neighbourRecheckInterval``. Nothing is counted yet.
        case awaitNeighbour
    }

    /// How long a transport waits before asking again about a requester the neighbour cache does not hold,
    /// or holds as another phone.
    ///
    /// The cache hears of a new or changed entry through a netlink notification, a moment after the kernel made
    /// it; when 2,000 phones come back at once that moment grows, and a phone's first fetch (or the first fetch of
    /// a phone given an address another phone had) would be refused and counted towards a ban while its entry is on the way.
    static let neighbourRecheckInterval = TimeAmount.milliseconds(100)
    /// How many times one connection (or one TFTP request) waits: a requester that is no neighbour is refused
    /// at most this many intervals later.
    static let neighbourRechecks = 3

    /// Decides one request: the ban list, the snapshot's answer, the fetch guard.
    /// - Parameter mayAwaitNeighbour: Whether the caller can hold the request and ask again, rather than refuse a
    ///   requester on what the neighbour cache holds now.
    func decide(path: Substring, userAgent: String?, requester: Requester, snapshot: ProvisioningSnapshot, mayAwaitNeighbour: Bool) -> Decision {
        if let address = requester.address, let bans, bans.bans.isBanned(address) {
            metrics.refusal(.banned)
            return .banned
        }
        let outcome = FetchGuard.evaluate(
            path: path, answer: snapshot.answer(path: path, userAgent: userAgent, remoteIP: requester.address), requester: requester,
            settings: snapshot.settings
        )
        if mayAwaitNeighbour, outcome.refusal == .notNeighbour || outcome.refusal == .otherPhone { return .awaitNeighbour }
        if outcome.isFailure, let address = requester.address { bans?.recordFailure(address, settings: snapshot.settings) }
        if let refusal = outcome.refusal { metrics.refusal(GuardRefusal(refusal)) }
        return .answer(outcome.answer)
    }
}
