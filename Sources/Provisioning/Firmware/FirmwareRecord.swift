public import Foundation
public import GRDB

/// A firmware file in the repository, for one vendor and optionally one model.
public struct FirmwareRecord: Codable, Hashable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "firmware"

    public var id: Int64?
    public var vendor: Vendor
    /// Empty for the vendor-wide fallback.
    public var model: String
    public var version: String
    public var notes: String
    /// The file's name as uploaded (`T46S-66.86.0.15.rom`).
    public var fileName: String
    public var size: Int64
    /// Lowercase hex; also the HTTP ETag.
    public var sha256: String
    public var createdAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The URL path it is served under: stable for the row, and naming the file so phones that look at it see a firmware name.
    public var path: String { "/firmware/\(id ?? 0)/\(fileName)" }
}
