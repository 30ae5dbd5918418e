/// Who may fetch a file that holds a phone's SIP password (`settings set fetch-guard`).
public enum FetchGuardMode: String, Sendable, CaseIterable {
    /// Anyone who can reach the port, as before the guard existed.
    case off
    /// The phone itself on the LAN (its neighbour entry holds the file's MAC), its private URL,
    /// this host, or an address in `trusted-networks`.
    case lan
    /// Only the phone's private URL, or this host.
    case strict
}

/// Something that knows which MAC the kernel's neighbour table holds for an address.
public protocol NeighbourLookup: Sendable {
    /// The MAC of a complete neighbour entry for `ip`, or nil.
    func mac(for ip: String) -> MACAddress?
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
    }

    /// - Parameters:
    ///   - path: The requested path, as the snapshot was asked.
    ///   - answer: The snapshot's answer.
    ///   - remoteIP: The requester's address.
    ///   - settings: The settings the snapshot was built with.
    ///   - neighbours: The kernel's neighbour table.
    public static func evaluate(
        path: Substring, answer: ProvisioningAnswer, remoteIP: String?, settings: PnPSettings, neighbours: (any NeighbourLookup)?
    ) -> Outcome {
        switch answer {
        case .file(_, let mac?):
            // A token path answers a phone's file only when the token is that phone's.
            if isTokenPath(path) || settings.fetchGuard == .off { return Outcome(answer: answer, isFailure: false) }
            guard let remoteIP else { return refused("no requester address", answer: answer) }
            if IPNetwork.isLoopback(remoteIP) { return Outcome(answer: answer, isFailure: false) }
            if settings.fetchGuard == .strict {
                return refused("fetch-guard is strict: \(mac)'s file goes only through its private URL", answer: answer)
            }
            if settings.trustedNetworks.contains(where: { $0.contains(remoteIP) }) { return Outcome(answer: answer, isFailure: false) }
            if let found = neighbours?.mac(for: remoteIP) {
                if found == mac { return Outcome(answer: answer, isFailure: false) }
                return refused("\(remoteIP) is \(found), not \(mac)", answer: answer)
            }
            return refused("\(remoteIP) is not a neighbour on a connected network (not in trusted-networks either)", answer: answer)
        case .forbidden:
            // A wrong token, or a phone the MAC lists refuse; only the first is a guess.
            return Outcome(answer: answer, isFailure: isTokenPath(path))
        case .notFound:
            return Outcome(answer: answer, isFailure: isTokenPath(path) || namesAMAC(path))
        case .file(_, nil), .stored, .unavailable:
            return Outcome(answer: answer, isFailure: false)
        }
    }

    private static func refused(_ reason: String, answer: ProvisioningAnswer) -> Outcome {
        Outcome(answer: .forbidden("fetch guard: \(reason)"), isFailure: true)
    }

    static func isTokenPath(_ path: Substring) -> Bool {
        path.hasPrefix("/p/") || path.hasPrefix("p/")
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
