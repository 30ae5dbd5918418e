/// Who may fetch a file that holds a phone's SIP password (`settings set fetch-guard`).
public enum FetchGuardMode: String, Sendable, CaseIterable {
    /// Anyone who can reach the port, as before the guard existed.
    case off
    /// The phone itself on the LAN (its neighbour entry holds the file's MAC), its private URL,
    /// this host, or an address in `trusted-networks`.
    case lan
    /// Only the phone's private URL, a verified device certificate, or this host.
    case strict
}

/// Something that knows which MAC the kernel's neighbour table holds for an address.
public protocol NeighbourLookup: Sendable {
    /// The MAC of a complete neighbour entry for `ip`, or nil.
    func mac(for ip: String) -> MACAddress?
}

/// Who is asking, worked out once per connection (HTTP) or request (TFTP), so the per-request
/// check is a few comparisons: the address as bans name it, whether it is this host, its bytes
/// for `trusted-networks`, and the MAC the kernel's neighbour table holds for it.
public struct Requester: Sendable {
    /// The address, IPv4-mapped IPv6 written as IPv4 (``IPNetwork/canonical(_:)``).
    public let address: String?
    let bytes: [UInt8]?
    public let isLoopback: Bool
    /// The neighbour entry's MAC when the requester was first seen; nil when it has none.
    public let neighbourMAC: MACAddress?
    /// The MAC of the factory device certificate the requester proved over TLS (chained to `device-ca`).
    public var verifiedDeviceMAC: MACAddress?

    /// - Parameters:
    ///   - address: The peer's address as the socket reports it.
    ///   - neighbours: The kernel's neighbour table, asked once here.
    public init(address: String?, neighbours: (any NeighbourLookup)?) {
        let canonical = address.map(IPNetwork.canonical)
        self.address = canonical
        self.bytes = canonical.flatMap(IPNetwork.bytes(of:))
        self.isLoopback = canonical.map(IPNetwork.isLoopback) ?? false
        self.neighbourMAC = canonical.flatMap { neighbours?.mac(for: $0) }
    }

    /// Whether this requester is one of `networks` (a trusted proxy).
    public func isIn(_ networks: [IPNetwork]) -> Bool {
        guard let bytes else { return false }
        return networks.contains { $0.contains(bytes: bytes) }
    }
}

/// Decides whether a requester gets the file it asked for, and whether the request counts
/// towards a ban. Transport-neutral: HTTP and TFTP ask it the same question.
public enum FetchGuard {
    /// What becomes of one request.
    public struct Outcome: Sendable {
        /// The answer to send: the snapshot's, or a refusal in its place.
        public var answer: ProvisioningAnswer
        /// Whether the request was a failed lookup: a guessed MAC, a wrong token, a refusal by the guard.
        public var isFailure: Bool
        /// Why the guard refused the file, when it did.
        public var refusal: Refusal?
    }

    /// Why the guard refused a phone's file, for counting.
    public enum Refusal: Sendable, Hashable {
        /// The requester's address was not known.
        case noAddress
        /// `fetch-guard strict`, and neither the private URL nor a device certificate.
        case strict
        /// The requester's neighbour entry holds another phone's MAC.
        case otherPhone
        /// The requester is not a neighbour on a connected network, nor in `trusted-networks`.
        case notNeighbour
        /// The device certificate names another phone.
        case certificate
    }

    /// - Parameters:
    ///   - path: The requested path, as the snapshot was asked.
    ///   - answer: The snapshot's answer.
    ///   - requester: Who asks.
    ///   - settings: The settings the snapshot was built with.
    public static func evaluate(path: Substring, answer: ProvisioningAnswer, requester: Requester, settings: PnPSettings) -> Outcome {
        switch answer {
        case .file(_, let mac?):
            if let (refusal, reason) = refusal(forFileOf: mac, path: path, requester: requester, settings: settings) {
                return refused(refusal, reason)
            }
            return Outcome(answer: answer, isFailure: false)
        case .forbidden:
            // A wrong token, or a phone the MAC lists refuse; only the first is a guess.
            return Outcome(answer: answer, isFailure: isTokenPath(path))
        case .notFound:
            return Outcome(answer: answer, isFailure: isTokenPath(path) || namesAMAC(path))
        case .file(_, nil), .stored, .unavailable:
            return Outcome(answer: answer, isFailure: false)
        }
    }

    /// Why the guard refuses `mac`'s own file to `requester`, with the reason for the log; nil when it serves it.
    /// - Parameters:
    ///   - mac: The phone the file is for.
    ///   - path: The requested path.
    ///   - requester: Who asks.
    ///   - settings: The settings the snapshot was built with.
    public static func refusal(forFileOf mac: MACAddress, path: Substring, requester: Requester, settings: PnPSettings) -> (Refusal, String)? {
        // A token path answers a phone's file only when the token is that phone's.
        if isTokenPath(path) { return nil }
        // A phone that proved its MAC with its device certificate gets its own file in every mode, and no other.
        if let proven = requester.verifiedDeviceMAC {
            if proven == mac { return nil }
            return (.certificate, "device certificate names \(proven), not \(mac)")
        }
        if settings.fetchGuard == .off { return nil }
        guard let remoteIP = requester.address else { return (.noAddress, "no requester address") }
        if requester.isLoopback { return nil }
        if settings.fetchGuard == .strict {
            return (.strict, "fetch-guard is strict: \(mac)'s file goes only through its private URL or its device certificate")
        }
        if let bytes = requester.bytes, settings.trustedNetworks.contains(where: { $0.contains(bytes: bytes) }) {
            return nil
        }
        if let found = requester.neighbourMAC {
            if found == mac { return nil }
            return (.otherPhone, "\(remoteIP) is \(found), not \(mac)")
        }
        return (.notNeighbour, "\(remoteIP) is not a neighbour on a connected network (not in trusted-networks either)")
    }

    private static func refused(_ refusal: Refusal, _ reason: String) -> Outcome {
        Outcome(answer: .forbidden("fetch guard: \(reason)"), isFailure: true, refusal: refusal)
    }

    static func isTokenPath(_ path: Substring) -> Bool {
        // Bytes, not `hasPrefix`: every phone's file passes here, and the generic prefix match shows in profiles.
        var bytes = path.utf8.makeIterator()
        var first = bytes.next()
        if first == UInt8(ascii: "/") { first = bytes.next() }
        return first == UInt8(ascii: "p") && bytes.next() == UInt8(ascii: "/")
    }

    /// A file name with a MAC in it: what a guesser walks through.
    static func namesAMAC(_ path: Substring) -> Bool {
        var name = path
        while name.first == "/" { name.removeFirst() }
        switch ConfigRequest(fileName: name) {
        case .macConfig, .snomDevice, .xmlConfig: return true
        default: return false
        }
    }
}
