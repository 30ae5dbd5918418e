public import Logging
import Provisioning

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

/// Makes exactly one phone re-fetch its configuration with a SIP `NOTIFY` (`Event: check-sync;reboot=true`).
///
/// It aims at the phone's own registered contact: `Endpoint:` only when that
/// endpoint has this one contact, else `URI:` of the contact, so other phones on
/// the same extension (or on the shared guest endpoint) are never rebooted.
/// Where Asterisk cannot reach the phone it sends the NOTIFY itself over UDP.
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
    ///   - direct: Sends the NOTIFY over UDP when Asterisk cannot.
    public func notify(
        phoneIP: String?,
        session: AMISession?,
        directory: AMIDirectory?,
        direct: @Sendable (String, Int, String?) async throws -> Void
    ) async -> NotifyOutcome {
        guard let phoneIP else { return .failed(reason: "the phone's address is not known yet (it has never fetched its file)") }
        let matches = (directory?.endpoints.values ?? [:].values).flatMap { endpoint in
            endpoint.contacts.filter { AMIDirectory.host(ofContact: $0) == phoneIP }.map { (endpoint, $0) }
        }.sorted { $0.0.name < $1.0.name }
        var reason = matches.isEmpty ? "no contact registered from \(phoneIP)" : ""
        if let session, let (endpoint, contact) = matches.first {
            let target: (String, String) = endpoint.contacts.count == 1 ? ("Endpoint", endpoint.name) : ("URI", contact)
            do {
                let result = try await session.send(
                    AMIAction("PJSIPNotify", [target, ("Variable", "Event=\(Self.event)")]), timeout: timeout
                )
                if result.isSuccess { return .sentThroughAsterisk(target: "\(target.0): \(target.1)") }
                reason = "Asterisk refused: \(result.message)"
            } catch {
                reason = "\(error)"
            }
        } else if session == nil {
            reason = "no AMI connection"
        }
        let contact = matches.first?.1
        let port = contact.flatMap(Self.port(ofContact:)) ?? 5060
        let user = contact.flatMap(Self.user(ofContact:))
        do {
            try await direct(phoneIP, port, user)
            logger.info("check-sync through Asterisk not possible (\(reason)); sent directly to \(phoneIP):\(port)")
            return .sentDirectly(address: "\(phoneIP):\(port)")
        } catch {
            return .failed(reason: "\(reason); direct send failed: \(error)")
        }
    }

    static func port(ofContact uri: String) -> Int? {
        var rest = Substring(uri)
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] } else if rest.lowercased().hasPrefix("sip:") { rest = rest.dropFirst(4) }
        if let semicolon = rest.firstIndex(of: ";") { rest = rest[..<semicolon] }
        guard let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") else { return nil }
        return Int(rest[rest.index(after: colon)...])
    }

    static func user(ofContact uri: String) -> String? {
        var rest = Substring(uri)
        if rest.lowercased().hasPrefix("sip:") { rest = rest.dropFirst(4) }
        guard let at = rest.firstIndex(of: "@") else { return nil }
        return String(rest[..<at])
    }
}
