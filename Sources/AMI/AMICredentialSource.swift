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
    }

    private let state = Mutex(State())

    public init() {}

    /// The last good sync, if any.
    public var directory: AMIDirectory? { state.withLock { $0.directory } }

    /// Why the last sync attempt failed, if it did.
    public var lastError: String? { state.withLock { $0.lastError } }

    /// Publishes a completed sync.
    public func update(_ directory: AMIDirectory) {
        state.withLock {
            $0.directory = directory
            $0.lastError = nil
        }
    }

    /// Notes a failed sync; the last good directory is kept.
    public func syncFailed(_ reason: String) {
        state.withLock { $0.lastError = reason }
    }

    /// Applies a `ContactStatus` event: adds or removes one contact of one endpoint.
    public func contactChanged(endpoint: String, uri: String, status: String) {
        state.withLock { state in
            guard var entry = state.directory?.endpoints[endpoint] else { return }
            let removed = status.lowercased() == "removed"
            entry.contacts.removeAll { $0 == uri }
            if !removed { entry.contacts.append(uri) }
            state.directory?.endpoints[endpoint] = entry
        }
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
