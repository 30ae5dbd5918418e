public import Foundation
public import GRDB

/// An address banned for guessing phones' files, as kept in the store for `bans list`.
public struct BanRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "ban"

    public var address: String
    public var until: Date
    public var failures: Int
    public var createdAt: Date

    public init(address: String, until: Date, failures: Int, createdAt: Date) {
        self.address = address
        self.until = until
        self.failures = failures
        self.createdAt = createdAt
    }
}
