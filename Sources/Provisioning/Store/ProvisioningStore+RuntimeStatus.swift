public import Foundation
import GRDB

extension ProvisioningStore {
    /// Records a fact about the running daemon (`ami.last-sync`), for `ami check` and the admin UI.
    public func setRuntimeStatus(_ key: String, _ value: String, at date: Date = Date()) throws(StoreError) {
        try write { db in
            try db.execute(
                sql:
                    "INSERT INTO runtimeStatus (key, value, updatedAt) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updatedAt = excluded.updatedAt",
                arguments: [key, value, date]
            )
        }
    }

    /// A fact recorded by the daemon, with when it was recorded.
    public func runtimeStatus(_ key: String) throws(StoreError) -> (value: String, updatedAt: Date)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT value, updatedAt FROM runtimeStatus WHERE key = ?", arguments: [key]).map {
                (value: $0["value"], updatedAt: $0["updatedAt"])
            }
        }
    }
}
