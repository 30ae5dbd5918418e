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

    /// Adds a firmware file.
    /// - Parameters:
    ///   - source: The file to copy in.
    ///   - progress: Told the bytes copied so far.
    /// - Throws: ``StoreError`` naming what is wrong; nothing is kept then.
    @discardableResult
    public func add(
        _ source: URL, vendor: Vendor, model: String = "", version: String = "", notes: String = "",
        progress: (Int64, Int64) -> Void = { _, _ in }
    ) throws(StoreError) -> FirmwareRecord {
        let name = source.lastPathComponent
        guard !name.isEmpty, name.count <= 128, !name.contains(where: { $0 == "/" || $0 == "\\" || $0.isNewline || ($0.asciiValue ?? 32) < 32 }),
            !name.hasPrefix(".")
        else {
            throw .invalidValue("firmware file name '\(name)' must be a plain file name")
        }
        let ext = (name as NSString).pathExtension.lowercased()
        let allowed = Self.extensions[vendor] ?? []
        guard allowed.contains(ext) else {
            throw .invalidValue("'\(name)': \(vendor.displayName) firmware must end in \(allowed.map { "." + $0 }.joined(separator: " or "))")
        }
        for (field, value) in [("model", model), ("version", version), ("notes", notes)] {
            try Validation.singleLine(value, field: field)
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: source.path)
        guard let size = (attributes?[.size] as? NSNumber)?.int64Value, attributes?[.type] as? FileAttributeType == .typeRegular else {
            throw .invalidValue("cannot read firmware file \(source.path)")
        }
        guard size > 0 else { throw .invalidValue("'\(name)' is empty") }
        guard size <= Self.maximumFileSize else { throw .invalidValue("'\(name)' is \(size / 1_048_576) MB; the limit is 80 MB per file") }
        let used = try store.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(sum(size), 0) FROM firmware") ?? 0 }
        guard used + size <= Self.maximumTotalSize else {
            throw .invalidValue("'\(name)' would bring the repository to \((used + size) / 1_048_576) MB; the limit is 300 MB in all")
        }
        if try store.read({ db in try FirmwareRecord.filter(Column("vendor") == vendor && Column("model").collating(.nocase) == model).fetchCount(db) }) > 0 {
            throw .conflict("a \(vendor.displayName) firmware for \(model.isEmpty ? "all models" : model) exists already; remove it first")
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .database("cannot create \(directory.path): \(error)")
        }
        let temporary = directory.appendingPathComponent(".upload-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let sha256 = try Self.copy(source, to: temporary, expectedSize: size, progress: progress)
        var record = FirmwareRecord(
            vendor: vendor, model: model, version: version, notes: notes, fileName: name, size: size, sha256: sha256, createdAt: Date()
        )
        try store.write { db in
            try record.insert(db)
            // Inside the transaction: if the rename fails the row is rolled back too.
            guard rename(temporary.path, fileURL(record).path) == 0 else {
                throw StoreError.database("cannot move the firmware into place: \(String(cString: strerror(errno)))")
            }
        }
        return record
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

    /// Copies in 1 MiB pieces, hashing as it goes, and syncs the copy to disk.
    static func copy(_ source: URL, to destination: URL, expectedSize: Int64, progress: (Int64, Int64) -> Void) throws(StoreError) -> String {
        guard let input = FileHandle(forReadingAtPath: source.path) else { throw .invalidValue("cannot open \(source.path)") }
        defer { try? input.close() }
        guard FileManager.default.createFile(atPath: destination.path, contents: nil, attributes: [.posixPermissions: 0o644]),
            let output = FileHandle(forWritingAtPath: destination.path)
        else { throw .database("cannot create \(destination.path)") }
        defer { try? output.close() }
        var hasher = SHA256Hasher()
        var copied: Int64 = 0
        do {
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                copied += Int64(chunk.count)
                guard copied <= maximumFileSize else { throw StoreError.invalidValue("\(source.lastPathComponent) grew past 80 MB while being copied") }
                hasher.update(chunk)
                try output.write(contentsOf: chunk)
                progress(copied, expectedSize)
            }
            try output.synchronize()
        } catch let error as StoreError {
            throw error
        } catch {
            throw .database("copying \(source.lastPathComponent) failed: \(error)")
        }
        return hasher.finalizeHex()
    }
}
