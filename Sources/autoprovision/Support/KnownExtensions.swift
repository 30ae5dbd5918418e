import Foundation
import Provisioning

/// Whether an extension given to `device add --extension` or `device bind` exists in the credential
/// source, so a typo is refused instead of leaving the phone with 503 for ever.
///
/// The CLI has no AMI connection of its own: a daemon that takes credentials from Asterisk records
/// the provisionable endpoints of each sync in the store, and the CLI checks against that list;
/// otherwise against the local accounts table. When neither can answer, the binding is kept with a
/// warning, and the phone waits for its credentials (`waiting` on the admin page).
enum KnownExtensions {
    static let statusKey = "ami.extensions"

    /// - Returns: A warning when the extension cannot be checked yet, nil when it is known.
    /// - Throws: ``CLIError`` when the source answers and does not know it.
    static func check(_ extensionNumber: String, store: ProvisioningStore) throws -> String? {
        if let synced = try store.runtimeStatus(statusKey) {
            let known = Set(synced.value.split(separator: ",").map(String.init))
            guard known.contains(extensionNumber) else {
                let age = Int(-synced.updatedAt.timeIntervalSinceNow)
                throw CLIError(
                    "extension \(extensionNumber) is not a provisionable PJSIP endpoint in Asterisk (as of the daemon's AMI sync \(age) s ago; ami check lists them); --force binds it anyway"
                )
            }
            return nil
        }
        let accounts = try store.accounts()
        if accounts.contains(where: { $0.extensionNumber == extensionNumber }) { return nil }
        guard accounts.isEmpty else {
            throw CLIError("extension \(extensionNumber) has no local account (account add \(extensionNumber) first); --force binds it anyway")
        }
        return
            "warning: extension \(extensionNumber) cannot be checked yet (no local accounts, and the daemon has not synced from Asterisk): the phone waits for its credentials"
    }
}
