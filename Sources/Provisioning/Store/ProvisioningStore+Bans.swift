public import Foundation
import GRDB

extension ProvisioningStore {
    /// The bans still running, soonest end first.
    public func bans(now: Date = Date()) throws(StoreError) -> [BanRecord] {
        try read { db in try BanRecord.filter(Column("until") > now).order(Column("until")).fetchAll(db) }
    }

    /// Keeps bans a running daemon has just imposed, each with an audit entry.
    public func recordBans(_ bans: [BanList.Ban], now: Date = Date()) throws(StoreError) {
        guard !bans.isEmpty else { return }
        try write { db in
            // Expired rows go when new ones come, so the table stays as small as the bans running.
            try BanRecord.filter(Column("until") <= now).deleteAll(db)
            for ban in bans {
                try BanRecord(address: ban.address, until: ban.until, failures: ban.failures, createdAt: now).save(db)
                var audit = BindingAuditRecord(
                    mac: nil, line: nil, action: "ban", extensionNumber: nil, previousExtension: nil, actor: "daemon",
                    detail: "banned \(ban.address) for \(ban.seconds) s after \(ban.failures) failed lookups"
                )
                try audit.insert(db)
            }
        }
    }

    /// Lifts the ban of `address`; a running daemon follows within a second.
    /// - Throws: ``StoreError/notFound(_:)`` when the address is not banned.
    public func clearBan(_ address: String, actor: String) throws(StoreError) {
        try write { db in
            guard try BanRecord.deleteOne(db, key: address) else {
                throw StoreError.notFound("\(address) is not banned")
            }
            var audit = BindingAuditRecord(
                mac: nil, line: nil, action: "unban", extensionNumber: nil, previousExtension: nil, actor: actor, detail: "ban of \(address) cleared"
            )
            try audit.insert(db)
        }
    }
}
