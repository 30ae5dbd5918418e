public import Foundation
public import GRDB

/// The text of a configuration file with `{PLACEHOLDER}`s, for one vendor.
public struct TemplateRecord: Codable, Hashable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "template"

    public var id: Int64?
    /// Unique, case-insensitive.
    public var name: String
    public var vendor: Vendor
    public var body: String
    /// The vendor default: used for that vendor's phones that name no template.
    public var isVendorDefault: Bool
    public var updatedAt: Date

    public init(name: String, vendor: Vendor, body: String, isVendorDefault: Bool = false, updatedAt: Date = Date()) {
        self.name = name
        self.vendor = vendor
        self.body = body
        self.isVendorDefault = isVendorDefault
        self.updatedAt = updatedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
