public import Foundation
import GRDB

/// Firmware files beside the database: checked, streamed in, hashed, and moved into place atomically.
///
/// A file is copied to a temporary name while its SHA-256 and size are
/// computed, synced, then renamed; only then is the row written. A failure at
/// any step removes the temporary file, so there is never a partial file or a
/// row without its file.
public struct FirmwareRepository: Sendable {
    /// SEED.md's limits.
    public static let maximumFileSize: Int64 = 80 * 1024 * 1024
    public static let maximumTotalSize: Int64 = 300 * 1024 * 1024

    /// Allowed extensions per vendor (SEED.md, "Firmware").
    public static let extensions: [Vendor: [String]] = [
        .yealink: ["rom", "bin"], .snom: ["bin", "fw"], .fanvil: ["z", "bin"], .grandstream: ["bin"], .htek: ["rom", "bin"],
    ]

    let store: ProvisioningStore
    /// Where the files live: `<database>.firmware/`.
    public let directory: URL

    public init(store: ProvisioningStore) {
        self.store = store
        directory = URL(fileURLWithPath: store.path + ".firmware")
    }

    /// The stored file of a row.
    public func fileURL(_ record: FirmwareRecord) -> URL {
        directory.appendingPathComponent("\(record.id ?? 0)-\(record.sha256)")
    }

    /// Adds a firmware file from disk (the CLI).
    /// - Parameters:
    ///   - source: The file to copy in.
    ///   - progress: Told the bytes copied so far.
    /// - Throws: ``StoreError`` naming what is wrong; nothing is kept then.
    @discardableResult
    public func add(
        _ source: URL, vendor: Vendor, model: String = "", version: String = "", notes: String = "",
        progress: (Int64, Int64) -> Void = { _, _ in }
    ) throws(StoreError) -> FirmwareRecord {
        let size = try Self.regularFileSize(source)
        let upload = try beginUpload(
            fileName: source.lastPathComponent, vendor: vendor, model: model, version: version, notes: notes, declaredSize: size
        )
        try Self.copy(source, into: upload, progress: progress)
        return try upload.finish()
    }

    /// Replaces the file of row `id` with a file from disk; the row keeps its id, vendor and model.
    @discardableResult
    public func replaceFile(id: Int64, with source: URL, progress: (Int64, Int64) -> Void = { _, _ in }) throws(StoreError) -> FirmwareRecord {
        let size = try Self.regularFileSize(source)
        let upload = try beginReplacement(id: id, fileName: source.lastPathComponent, declaredSize: size)
        try Self.copy(source, into: upload, progress: progress)
        return try upload.finish()
    }

    /// Starts a new row's upload: every check that can be made before the bytes arrive is made here.
    /// - Parameter declaredSize: The size announced (Content-Length), when known; checked against both limits.
    /// - Throws: ``StoreError`` for a bad name, extension, field, size or a duplicate vendor and model.
    public func beginUpload(
        fileName: String, vendor: Vendor, model: String = "", version: String = "", notes: String = "", declaredSize: Int64?
    ) throws(StoreError) -> FirmwareUpload {
        try Self.checkName(fileName, vendor: vendor)
        let model = try PhoneModel.normalised(model) ?? ""
        for (field, value) in [("version", version), ("notes", notes)] {
            try Self.checkText(value, field: field)
        }
        try store.read { db in try Self.checkUnique(db, vendor: vendor, model: model, excluding: nil) }
        let record = FirmwareRecord(
            vendor: vendor, model: model, version: version, notes: notes, fileName: fileName, size: 0, sha256: "", createdAt: Date())
        return try FirmwareUpload(repository: self, record: record, replacing: nil, budget: try budget(excluding: nil), declaredSize: declaredSize)
    }

    /// Starts replacing the file of row `id`.
    public func beginReplacement(id: Int64, fileName: String, declaredSize: Int64?) throws(StoreError) -> FirmwareUpload {
        guard let existing = try store.read({ db in try FirmwareRecord.fetchOne(db, key: id) }) else {
            throw .notFound("no firmware with id \(id)")
        }
        try Self.checkName(fileName, vendor: existing.vendor)
        var record = existing
        record.fileName = fileName
        return try FirmwareUpload(
            repository: self, record: record, replacing: existing, budget: try budget(excluding: id), declaredSize: declaredSize)
    }

    /// The bytes a new file may have: 80 MB, or less when the repository is nearly full.
    private func budget(excluding id: Int64?) throws(StoreError) -> Int64 {
        let used = try store.read { db in
            try Int64.fetchOne(db, sql: "SELECT coalesce(sum(size), 0) FROM firmware WHERE id IS NOT ?", arguments: [id]) ?? 0
        }
        return min(Self.maximumFileSize, Self.maximumTotalSize - used)
    }

    static func checkName(_ name: String, vendor: Vendor) throws(StoreError) {
        // Only characters that need no escaping in a URL: the name is part of the path phones fetch.
        guard !name.isEmpty, name.utf8.count <= 128, !name.hasPrefix("."),
            name.utf8.allSatisfy({ $0.isASCIIAlphanumeric || "._-+~".utf8.contains($0) })
        else {
            let shown = String(name.unicodeScalars.prefix(128).map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
            throw .invalidValue("firmware file name '\(shown)' must be a plain file name of letters, digits, '.', '_', '-', '+' or '~'")
        }
        let ext = (name as NSString).pathExtension.lowercased()
        let allowed = extensions[vendor] ?? []
        guard allowed.contains(ext) else {
            throw .invalidValue("'\(name)': \(vendor.displayName) firmware must end in \(allowed.map { "." + $0 }.joined(separator: " or "))")
        }
    }

    static func regularFileSize(_ source: URL) throws(StoreError) -> Int64 {
        let attributes = try? FileManager.default.attributesOfItem(atPath: source.path)
        guard let size = (attributes?[.size] as? NSNumber)?.int64Value, attributes?[.type] as? FileAttributeType == .typeRegular else {
            throw .invalidValue("cannot read firmware file \(source.path)")
        }
        return size
    }

    /// Changes what a row says about its file; nil leaves a field as it is. The file stays.
    /// - Parameters:
    ///   - id: The row.
    ///   - version: The firmware version, for the list.
    ///   - notes: A comment.
    ///   - model: The model it is for (``PhoneModel``'s rule); empty makes it the vendor-wide row.
    /// - Returns: The row as stored.
    /// - Throws: ``StoreError`` for an unknown id, a bad value, or a model another row of the vendor is for;
    ///   nothing is written then.
    @discardableResult
    public func update(id: Int64, version: String? = nil, notes: String? = nil, model: String? = nil) throws(StoreError) -> FirmwareRecord {
        for (field, value) in [("version", version), ("notes", notes)] {
            if let value { try Self.checkText(value, field: field) }
        }
        let model = try model.map { name throws(StoreError) in try PhoneModel.normalised(name) ?? "" }
        return try store.write { db in
            guard let existing = try FirmwareRecord.fetchOne(db, key: id) else { throw StoreError.notFound("no firmware with id \(id)") }
            var record = existing
            if let version { record.version = version }
            if let notes { record.notes = notes }
            if let model {
                try Self.checkUnique(db, vendor: record.vendor, model: model, excluding: id)
                record.model = model
            }
            // Only a real change is written: the row's update trigger moves the revision, which re-renders every phone.
            try record.updateChanges(db, from: existing)
            return record
        }
    }

    /// Checks a version or notes text: one line of at most 256 bytes.
    /// - Throws: ``StoreError/invalidValue(_:)`` naming `field`.
    public static func checkText(_ value: String, field: String) throws(StoreError) {
        try Validation.singleLine(value, field: field)
    }

    /// Refuses a second row for one vendor and model, however the two names are spelled: a phone must
    /// find one row for its model, not two that ``PhoneModel`` matches alike.
    static func checkUnique(_ db: Database, vendor: Vendor, model: String, excluding id: Int64?) throws {
        let key = PhoneModel.matchKey(model, vendor: vendor)
        let rows = try FirmwareRecord.filter(Column("vendor") == vendor && Column("id") != id).fetchAll(db)
        if let other = rows.first(where: {
            model.isEmpty ? $0.model.isEmpty : !$0.model.isEmpty && PhoneModel.matchKey($0.model, vendor: vendor) == key
        }) {
            let same = other.model.caseInsensitiveCompare(model) == .orderedSame
            throw StoreError.conflict(
                "a \(vendor.displayName) firmware for \(model.isEmpty ? "all models" : model) exists already"
                    + (same ? "" : " (id \(other.id ?? 0), model '\(other.model)')") + "; remove it or replace its file"
            )
        }
    }

    /// One row, or nil.
    public func record(id: Int64) throws(StoreError) -> FirmwareRecord? {
        try store.read { db in try FirmwareRecord.fetchOne(db, key: id) }
    }

    /// Every firmware row, by vendor and model.
    public func list() throws(StoreError) -> [FirmwareRecord] {
        try store.read { db in try FirmwareRecord.order(Column("vendor"), Column("model")).fetchAll(db) }
    }

    /// Removes a row and its file.
    public func remove(id: Int64) throws(StoreError) {
        let record = try store.write { db -> FirmwareRecord in
            guard let record = try FirmwareRecord.fetchOne(db, key: id) else { throw StoreError.notFound("no firmware with id \(id)") }
            try record.delete(db)
            return record
        }
        try? FileManager.default.removeItem(at: fileURL(record))
    }

    /// Copies in 1 MiB pieces into an upload; the upload is cancelled on failure.
    static func copy(_ source: URL, into upload: FirmwareUpload, progress: (Int64, Int64) -> Void) throws(StoreError) {
        guard let input = FileHandle(forReadingAtPath: source.path) else {
            upload.cancel()
            throw .invalidValue("cannot open \(source.path)")
        }
        defer { try? input.close() }
        do {
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                try upload.write(chunk)
                progress(upload.received, upload.declaredSize ?? upload.received)
            }
        } catch let error as StoreError {
            upload.cancel()
            throw error
        } catch {
            upload.cancel()
            throw .database("reading \(source.lastPathComponent) failed: \(error)")
        }
    }
}
