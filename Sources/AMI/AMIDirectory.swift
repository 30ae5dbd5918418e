public import Foundation
public import Provisioning

/// What one full sync read from Asterisk: every PJSIP endpoint, its inbound auth and its contacts.
public struct AMIDirectory: Sendable {
    /// One PJSIP endpoint as the product sees it.
    public struct Endpoint: Hashable, Sendable {
        /// The endpoint id, used as the extension (`204`).
        public var name: String
        /// The credentials a phone can use, when the auth has a plaintext password.
        public var credentials: SIPCredentials?
        /// Why the endpoint cannot be provisioned, when it cannot.
        public var problem: String?
        /// Registered contact URIs (`sip:204@192.0.2.31:5060`).
        public var contacts: [String]
    }

    /// Endpoints by name.
    public var endpoints: [String: Endpoint]
    /// When the sync finished.
    public var syncedAt: Date

    public init(endpoints: [String: Endpoint], syncedAt: Date = Date()) {
        self.endpoints = endpoints
        self.syncedAt = syncedAt
    }

    /// The endpoints a phone can be provisioned for, by name.
    public var provisionable: [Endpoint] { endpoints.values.filter { $0.credentials != nil }.sorted { $0.name < $1.name } }
    /// The endpoints that cannot be provisioned, with the reason, by name.
    public var refused: [Endpoint] { endpoints.values.filter { $0.credentials == nil }.sorted { $0.name < $1.name } }

    /// `"Irina Smirnova" <203>` gives `Irina Smirnova`; `<unknown>` and empty give nil.
    static func callerIDName(_ callerID: String?) -> String? {
        guard var text = callerID?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let open = text.lastIndex(of: "<"), text.hasSuffix(">") { text = String(text[..<open]).trimmingCharacters(in: .whitespaces) }
        if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
        return text.isEmpty ? nil : text
    }

    /// `204/sip:204@192.0.2.31:5060,205/sip:...,` gives the URIs.
    static func contactURIs(_ list: String?) -> [String] {
        (list ?? "").split(separator: ",").compactMap { item in
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            guard let slash = trimmed.firstIndex(of: "/") else { return trimmed.isEmpty ? nil : trimmed }
            let uri = trimmed[trimmed.index(after: slash)...]
            return uri.isEmpty ? nil : String(uri)
        }
    }
}

extension AMIDirectory {
    /// The host part of a SIP URI (`sip:204@192.0.2.31:5060;ob` gives `192.0.2.31`).
    public static func host(ofContact uri: String) -> String? {
        var rest = Substring(uri)
        if let colon = rest.firstIndex(of: ":"), rest[..<colon].lowercased().hasPrefix("sip") { rest = rest[rest.index(after: colon)...] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if let semicolon = rest.firstIndex(of: ";") { rest = rest[..<semicolon] }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") { return String(rest[rest.index(after: rest.startIndex)..<close]) }
        if let colon = rest.firstIndex(of: ":") { rest = rest[..<colon] }
        return rest.isEmpty ? nil : String(rest)
    }
}
