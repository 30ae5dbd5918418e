public import GRDB

/// A fixed URL path answered with a template (`y000000000028.cfg` for old Yealink firmware).
public struct URIMappingRecord: Codable, Hashable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "uriMapping"

    public var id: Int64?
    /// The path without its leading `/`, lowercased (`y000000000028.cfg`).
    public var path: String
    public var templateID: Int64

    public init(path: String, templateID: Int64) {
        self.path = path
        self.templateID = templateID
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
