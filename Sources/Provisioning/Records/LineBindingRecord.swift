public import GRDB

/// One line of a phone bound to one extension.
public struct LineBindingRecord: Codable, Hashable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "lineBinding"

    public var id: Int64?
    public var deviceID: Int64
    /// From 1; DECT bases have up to 5 (the schema allows 16).
    public var line: Int
    public var extensionNumber: String

    public init(deviceID: Int64, line: Int, extensionNumber: String) {
        self.deviceID = deviceID
        self.line = line
        self.extensionNumber = extensionNumber
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
