import Foundation
public import Provisioning
import Synchronization

/// Credentials read live from Asterisk: the last good full sync.
///
/// Before the first sync it answers "unavailable", so phones get 503 and try
/// again rather than a file with no password. After a failed re-sync the last
/// good set stays in use, and its age is reported.
public final class AMICredentialSource: CredentialSource, Sendable {
    private struct State {
        var directory: AMIDirectory?
        var lastError: String?
        /// Contact changes seen while a sync is in flight: the sync's listing may predate them.
        var changesDuringSync: [(endpoint: String, uri: String, removed: Bool)]?
    }

    private let state = Mutex(State())

    public init() {}

    /// The last good sync, if any.
    public var directory: AMIDirectory? { state.withLock { $0.directory } }

    /// Why the last sync attempt failed, if it did.
    public var lastError: String? { state.withLock { $0.lastError } }

    /// Notes that a full sync is starting, so contact changes from now on are replayed onto its result.
    public func syncStarted() {
        state.withLock { $0.changesDuringSync = [] }
    }

    /// Publishes a completed sync, with the contact changes that arrived while it ran.
    public func update(_ directory: AMIDirectory) {
        state.withLock {
            var directory = directory
            for change in $0.changesDuringSync ?? [] { Self.apply(change, to: &directory) }
            $0.directory = directory
            $0.lastError = nil
            $0.changesDuringSync = nil
        }
    }

    /// Notes a failed sync; the last good directory is kept.
    public func syncFailed(_ reason: String) {
        state.withLock {
            $0.lastError = reason
            $0.changesDuringSync = nil
        }
    }

    /// Applies a `ContactStatus` event: adds or removes one contact of one endpoint.
    public func contactChanged(endpoint: String, uri: String, status: String) {
        let change = (endpoint: endpoint, uri: uri, removed: status.lowercased() == "removed")
        state.withLock { state in
            if state.directory != nil { Self.apply(change, to: &state.directory!) }
            state.changesDuringSync?.append(change)
        }
    }

    private static func apply(_ change: (endpoint: String, uri: String, removed: Bool), to directory: inout AMIDirectory) {
        guard var entry = directory.endpoints[change.endpoint] else { return }
        entry.contacts.removeAll { $0 == change.uri }
        if !change.removed { entry.contacts.append(change.uri) }
        directory.endpoints[change.endpoint] = entry
    }

    public func credentials(for extensions: Set<String>) async throws(CredentialSourceError) -> [String: SIPCredentials] {
        guard let directory = self.directory else {
            throw CredentialSourceError(reason: "not yet synced from Asterisk" + (lastError.map { " (\($0))" } ?? ""))
        }
        var result: [String: SIPCredentials] = [:]
        for name in extensions {
            if let credentials = directory.endpoints[name]?.credentials { result[name] = credentials }
        }
        return result
    }

    public func phonebook() async throws(CredentialSourceError) -> [PhonebookEntry] {
        guard let directory = self.directory else { throw CredentialSourceError(reason: "not yet synced from Asterisk") }
        return directory.endpoints.values.map { PhonebookEntry(name: $0.credentials?.displayName ?? $0.name, number: $0.name) }
    }
}
