public import GRDB

/// Another PBX whose phonebook is merged into ours: the URL of its Yealink-format directory.
public struct PhonebookSourceRecord: Codable, Hashable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "phonebookSource"

    public var id: Int64?
    public var url: String
    public var name: String

    public init(url: String, name: String) {
        self.url = url
        self.name = name
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension ProvisioningStore {
    /// Adds an external phonebook source.
    /// - Throws: ``StoreError/invalidValue(_:)`` unless the URL is http(s) with a host.
    @discardableResult
    public func addPhonebookSource(url: String, name: String) throws(StoreError) -> PhonebookSourceRecord {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), url.count <= 512, !url.contains(where: { $0.isWhitespace }),
            url.split(separator: "/").count >= 2
        else {
            throw .invalidValue("phonebook source '\(url)' must be an http:// or https:// URL")
        }
        try Validation.singleLine(name, field: "name")
        return try write { db in
            var record = PhonebookSourceRecord(url: url, name: name)
            try record.insert(db)
            return record
        }
    }

    public func phonebookSources() throws(StoreError) -> [PhonebookSourceRecord] {
        try read { db in try PhonebookSourceRecord.order(Column("id")).fetchAll(db) }
    }

    public func removePhonebookSource(id: Int64) throws(StoreError) {
        try write { db in
            guard try PhonebookSourceRecord.deleteOne(db, key: id) else { throw StoreError.notFound("no phonebook source with id \(id)") }
        }
    }
}
