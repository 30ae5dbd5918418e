public import Logging
public import Provisioning

/// What became of a request to make one phone re-provision.
public enum NotifyOutcome: Hashable, Sendable, CustomStringConvertible {
    /// Asterisk sent the NOTIFY (`target` is `Endpoint: X` or `URI: Y`).
    case sentThroughAsterisk(target: String)
    /// The NOTIFY went straight to the phone over UDP.
    case sentDirectly(address: String)
    case failed(reason: String)

    public var description: String {
        switch self {
        case .sentThroughAsterisk(let target): "check-sync sent through Asterisk (\(target))"
        case .sentDirectly(let address): "check-sync sent directly to \(address)"
        case .failed(let reason): "check-sync not sent: \(reason)"
        }
    }
}

/// Where a check-sync NOTIFY sent by the daemon itself goes.
public struct CheckSyncTarget: Hashable, Sendable {
    /// The Request-URI: the phone's registered contact, else `sip:<ip>:5060`.
    public var uri: String
    public var host: String
    public var port: Int
    /// The account the contact is registered with, for a phone that challenges the NOTIFY.
    public var credentials: SIPCredentials?
}

/// Makes exactly one phone re-fetch its configuration with a SIP `NOTIFY` (`Event: check-sync;reboot=true`).
///
/// A phone whose endpoint has this one contact is notified through Asterisk (`Endpoint:`), so the
/// request comes from the registrar the phone trusts. A contact that shares its endpoint with other
/// phones (the guest account) is notified by the daemon itself: Asterisk's `Endpoint:` would reboot
/// them all, and its `URI:` form is sent only when pjsip.conf names a default outbound endpoint,
/// yet AMI answers "NOTIFY sent" either way. The daemon also sends it itself when there is no AMI
/// connection or Asterisk refuses.
public struct CheckSyncNotifier: Sendable {
    /// The Event header value; Yealink, Snom, Fanvil, Grandstream and Htek all take it (Snom reboots with `reboot=true`).
    public static let event = "check-sync;reboot=true"

    let logger: Logger
    let timeout: Duration

    public init(logger: Logger, timeout: Duration = .seconds(10)) {
        self.logger = logger
        self.timeout = timeout
    }

    /// - Parameters:
    ///   - phoneIP: The phone's last known address.
    ///   - session: A logged-in AMI session, if there is one.
    ///   - directory: The last sync, for the phone's contacts.
    ///   - direct: Sends the NOTIFY from the daemon and returns the phone's answer; throws when there is none.
    public func notify(
        phoneIP: String?,
        session: AMISession?,
        directory: AMIDirectory?,
        direct: @Sendable (CheckSyncTarget) async throws -> String
    ) async -> NotifyOutcome {
        guard let phoneIP else { return .failed(reason: "the phone's address is not known yet (it has never fetched its file)") }
        var endpoints = Array(directory?.endpoints.values ?? [:].values)
        var matches = Self.contacts(of: phoneIP, in: endpoints)
        if matches.isEmpty, let session, let fresh = try? await AMIDirectorySync.contacts(session, timeout: timeout) {
            // Contacts arrive by ContactStatus events; one that came while a sync was in flight can be missing.
            endpoints = fresh.map { name, contacts in
                var endpoint = directory?.endpoints[name] ?? AMIDirectory.Endpoint(name: name, credentials: nil, problem: nil, contacts: [])
                endpoint.contacts = contacts
                return endpoint
            }
            matches = Self.contacts(of: phoneIP, in: endpoints)
        }
        var reason: String
        if let (endpoint, _) = matches.first {
            if endpoint.contacts.count > 1 {
                reason =
                    "endpoint \(endpoint.name) has \(endpoint.contacts.count) contacts, and Asterisk notifies one contact only by URI through a default outbound endpoint"
            } else if let session {
                do {
                    let result = try await session.send(
                        AMIAction("PJSIPNotify", [("Endpoint", endpoint.name), ("Variable", "Event=\(Self.event)")]), timeout: timeout
                    )
                    if result.isSuccess { return .sentThroughAsterisk(target: "Endpoint: \(endpoint.name)") }
                    reason = "Asterisk refused: \(result.message)"
                } catch {
                    reason = "\(error)"
                }
            } else {
                reason = "no AMI connection"
            }
        } else {
            reason = "no contact registered from \(phoneIP)" + (session == nil ? " (no AMI connection)" : "")
        }
        let target =
            matches.first.map { endpoint, contact in
                CheckSyncTarget(uri: contact, host: phoneIP, port: Self.port(ofContact: contact) ?? 5060, credentials: endpoint.credentials)
            } ?? CheckSyncTarget(uri: "sip:\(Self.uriHost(phoneIP)):5060", host: phoneIP, port: 5060, credentials: nil)
        do {
            let answer = try await direct(target)
            logger.info("check-sync to \(target.uri) sent by the daemon (\(reason)); the phone answered \(answer)")
            return .sentDirectly(address: "\(Self.uriHost(target.host)):\(target.port)")
        } catch {
            return .failed(reason: "\(reason); sent by the daemon to \(target.uri): \(error)")
        }
    }

    /// The contacts registered from `ip`, with their endpoints, in a stable order.
    static func contacts(of ip: String, in endpoints: [AMIDirectory.Endpoint]) -> [(AMIDirectory.Endpoint, String)] {
        endpoints.flatMap { endpoint in
            endpoint.contacts.filter { AMIDirectory.host(ofContact: $0) == ip }.map { (endpoint, $0) }
        }.sorted { $0.0.name < $1.0.name }
    }

    static func uriHost(_ ip: String) -> String { ip.contains(":") ? "[\(ip)]" : ip }

    static func port(ofContact uri: String) -> Int? {
        var rest = Substring(uri)
        if let at = rest.lastIndex(of: "@") {
            rest = rest[rest.index(after: at)...]
        } else if rest.lowercased().hasPrefix("sip:") {
            rest = rest.dropFirst(4)
        }
        if let semicolon = rest.firstIndex(of: ";") { rest = rest[..<semicolon] }
        guard let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") else { return nil }
        return Int(rest[rest.index(after: colon)...])
    }
}
