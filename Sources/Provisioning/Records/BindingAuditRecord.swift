public import Foundation
public import GRDB

/// One change to a phone's line bindings: who bound what, when.
public struct BindingAuditRecord: Codable, Hashable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "bindingAudit"

    public var id: Int64?
    public var at: Date
    public var mac: String
    public var line: Int?
    /// `bind`, `unbind`, `device-add`, `device-remove`.
    public var action: String
    public var extensionNumber: String?
    public var previousExtension: String?
    /// Who made the change: `cli`, `agi`, `admin-api`.
    public var actor: String
    /// Free text: the caller's IP and the outcome of a star-code attempt.
    public var detail: String?

    public init(
        mac: MACAddress?, line: Int?, action: String, extensionNumber: String?, previousExtension: String?, actor: String, detail: String? = nil
    ) {
        self.at = Date()
        self.mac = mac?.compact ?? ""
        self.detail = detail
        self.line = line
        self.action = action
        self.extensionNumber = extensionNumber
        self.previousExtension = previousExtension
        self.actor = actor
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
