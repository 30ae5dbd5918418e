import Foundation
import Provisioning

/// Reads every PJSIP endpoint with its inbound auth, caller ID and contacts.
///
/// Two list actions give endpoints (`PJSIPShowEndpoints`) and auths with their
/// passwords (`PJSIPShowAuths`); the caller ID name needs one `PJSIPShowEndpoint`
/// per endpoint, sent many at a time so thousands of endpoints sync in seconds.
public enum AMIDirectorySync {
    /// How many `PJSIPShowEndpoint` actions are in flight at once.
    static let window = 64

    /// - Parameters:
    ///   - session: A logged-in session.
    ///   - timeout: The time each action may take.
    public static func fullSync(_ session: AMISession, timeout: Duration = .seconds(15)) async throws -> AMIDirectory {
        let endpointList = try await session.send(AMIAction("PJSIPShowEndpoints"), timeout: timeout)
        guard endpointList.isSuccess || endpointList.message.hasPrefix("No endpoints found") else {
            throw AMIClientError.actionFailed(action: "PJSIPShowEndpoints", message: endpointList.message)
        }
        let authList = try await session.send(AMIAction("PJSIPShowAuths"), timeout: timeout)
        guard authList.isSuccess || authList.message.hasPrefix("No Auths found") else {
            throw AMIClientError.actionFailed(action: "PJSIPShowAuths", message: authList.message)
        }
        var auths: [String: AMIMessage] = [:]
        for event in authList.events where event["Event"] == "AuthList" {
            if let name = event["ObjectName"] { auths[name] = event }
        }
        let listed = endpointList.events.filter { $0["Event"] == "EndpointList" && $0["ObjectName"] != nil }
        let callerIDs = try await callerIDNames(session, endpoints: listed.map { $0["ObjectName"]! }, timeout: timeout)

        var endpoints: [String: AMIDirectory.Endpoint] = [:]
        for event in listed {
            let name = event["ObjectName"]!
            var endpoint = AMIDirectory.Endpoint(name: name, credentials: nil, problem: nil, contacts: AMIDirectory.contactURIs(event["Contacts"]))
            let authNames = (event["Auths"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if let authName = authNames.first {
                if let auth = auths[authName] {
                    let type = (auth["AuthType"] ?? "userpass").lowercased()
                    let password = auth["Password"] ?? ""
                    let username = auth["Username"] ?? ""
                    if type != "userpass" {
                        endpoint.problem = "auth '\(authName)' is \(type): Asterisk holds no plaintext password to give the phone"
                    } else if password.isEmpty || username.isEmpty {
                        endpoint.problem = "auth '\(authName)' has no username or password"
                    } else {
                        endpoint.credentials = SIPCredentials(
                            extensionNumber: name, authUsername: username, password: password, displayName: callerIDs[name] ?? name
                        )
                    }
                } else {
                    endpoint.problem = "auth '\(authName)' was not listed by PJSIPShowAuths"
                }
            } else {
                endpoint.problem = "endpoint has no inbound auth"
            }
            endpoints[name] = endpoint
        }
        return AMIDirectory(endpoints: endpoints)
    }

    /// Every registered contact now, by endpoint (`PJSIPShowContacts`): one action, for when the
    /// directory's contacts may lag behind (a phone that registered while a sync was in flight).
    public static func contacts(_ session: AMISession, timeout: Duration = .seconds(15)) async throws -> [String: [String]] {
        let list = try await session.send(AMIAction("PJSIPShowContacts"), timeout: timeout)
        guard list.isSuccess || list.message.hasPrefix("No Contacts found") else {
            throw AMIClientError.actionFailed(action: "PJSIPShowContacts", message: list.message)
        }
        var contacts: [String: [String]] = [:]
        for event in list.events where event["Event"] == "ContactList" {
            guard let endpoint = event["Endpoint"], !endpoint.isEmpty, let uri = event["Uri"], !uri.isEmpty else { continue }
            contacts[endpoint, default: []].append(uri)
        }
        return contacts
    }

    private static func callerIDNames(_ session: AMISession, endpoints: [String], timeout: Duration) async throws -> [String: String] {
        try await withThrowingTaskGroup(of: (String, String?).self) { group in
            var names: [String: String] = [:]
            var iterator = endpoints.makeIterator()
            func addNext() -> Bool {
                guard let endpoint = iterator.next() else { return false }
                group.addTask {
                    let detail = try await session.send(AMIAction("PJSIPShowEndpoint", [("Endpoint", endpoint)]), timeout: timeout)
                    let callerID = detail.events.first { $0["Event"] == "EndpointDetail" }?["Callerid"]
                    return (endpoint, AMIDirectory.callerIDName(callerID))
                }
                return true
            }
            for _ in 0..<window where !addNext() { break }
            while let (endpoint, name) = try await group.next() {
                if let name { names[endpoint] = name }
                _ = addNext()
            }
            return names
        }
    }
}
