import GRDB

/// Credentials from the store's own accounts table.
public struct LocalAccountCredentialSource: CredentialSource {
    private let store: ProvisioningStore

    /// - Parameter store: The store whose accounts answer.
    public init(store: ProvisioningStore) {
        self.store = store
    }

    public func credentials(for extensions: Set<String>) async throws(CredentialSourceError) -> [String: SIPCredentials] {
        do {
            return try store.credentials(for: extensions)
        } catch {
            throw CredentialSourceError(reason: "local accounts cannot be read: \(error)")
        }
    }
}

extension LocalAccountCredentialSource {
    public func phonebook() async throws(CredentialSourceError) -> [PhonebookEntry] {
        do {
            return try store.accounts().map { PhonebookEntry(name: $0.credentials.displayName, number: $0.extensionNumber) }
        } catch {
            throw CredentialSourceError(reason: "local accounts cannot be read: \(error)")
        }
    }
}

extension ProvisioningStore {
    func credentials(for extensions: Set<String>) throws(StoreError) -> [String: SIPCredentials] {
        guard !extensions.isEmpty else { return [:] }
        return try read { db in
            var result: [String: SIPCredentials] = [:]
            for account in try AccountRecord.fetchAll(db, keys: Array(extensions)) {
                result[account.extensionNumber] = account.credentials
            }
            return result
        }
    }
}
