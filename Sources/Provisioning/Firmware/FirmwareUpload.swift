import Crypto
public import Foundation
import GRDB

/// One firmware file on its way in: bytes are written to a temporary file while
/// the size and SHA-256 are computed, then ``finish()`` syncs it, renames it into
/// place and writes the row in one transaction. Anything else (``cancel()``, a
/// limit crossed, the upload object dropped) removes the temporary file, so a
/// dropped connection leaves neither a partial file nor a row.
public final class FirmwareUpload {
    let repository: FirmwareRepository
    private var record: FirmwareRecord
    /// The row whose file is being replaced, if any.
    private let replacing: FirmwareRecord?
    private let budget: Int64
    /// The size announced before the bytes, when known.
    public let declaredSize: Int64?
    private let temporary: URL
    private var output: FileHandle?
    private var hasher = SHA256()
    /// Bytes not yet hashed and written: network reads are small, so they are gathered into 1 MiB writes.
    private var buffered = Data()
    /// Bytes written so far.
    public private(set) var received: Int64 = 0

    init(repository: FirmwareRepository, record: FirmwareRecord, replacing: FirmwareRecord?, budget: Int64, declaredSize: Int64?) throws(StoreError) {
        self.repository = repository
        self.record = record
        self.replacing = replacing
        self.budget = budget
        self.declaredSize = declaredSize
        let name = record.fileName
        if let declaredSize {
            guard declaredSize > 0 else { throw .invalidValue("'\(name)' is empty") }
            try Self.checkSize(declaredSize, name: name, budget: budget)
        }
        do {
            try FileManager.default.createDirectory(at: repository.directory, withIntermediateDirectories: true)
        } catch {
            throw .database("cannot create \(repository.directory.path): \(error)")
        }
        temporary = repository.directory.appendingPathComponent(".upload-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o644]),
            let output = FileHandle(forWritingAtPath: temporary.path)
        else { throw .database("cannot create \(temporary.path)") }
        self.output = output
    }

    deinit {
        cancel()
    }

    private static func checkSize(_ size: Int64, name: String, budget: Int64) throws(StoreError) {
        guard size <= FirmwareRepository.maximumFileSize else {
            throw .tooLarge("'\(name)' is \(size) bytes; the limit is 80 MB (\(FirmwareRepository.maximumFileSize) bytes) per file")
        }
        guard size <= budget else {
            throw .tooLarge("'\(name)' would bring the repository past 300 MB in all (room left: \(max(0, budget) / 1_048_576) MB)")
        }
    }

    /// Appends bytes (a `Data`, or a network buffer's memory without a copy); crossing a limit or the
    /// announced size cancels the upload.
    public func write(_ bytes: some DataProtocol & ContiguousBytes) throws(StoreError) {
        guard let output else { throw .invalidValue("the upload of '\(record.fileName)' is closed") }
        received += Int64(bytes.count)
        do {
            try Self.checkSize(received, name: record.fileName, budget: budget)
            if let declaredSize, received > declaredSize {
                throw StoreError.invalidValue("'\(record.fileName)' sent more than the \(declaredSize) bytes announced")
            }
            bytes.withUnsafeBytes { buffered.append($0.bindMemory(to: UInt8.self)) }
            if buffered.count >= 1 << 20 { try flushBuffered(output) }
        } catch let error as StoreError {
            cancel()
            throw error
        } catch {
            cancel()
            throw .database("writing '\(record.fileName)' failed: \(error)")
        }
    }

    /// Checks the size, syncs the file and commits it and its row atomically.
    /// - Returns: The row as stored.
    public func finish() throws(StoreError) -> FirmwareRecord {
        guard let output else { throw .invalidValue("the upload of '\(record.fileName)' is closed") }
        defer { cancel() }
        guard received > 0 else { throw .invalidValue("'\(record.fileName)' is empty") }
        if let declaredSize, received != declaredSize {
            throw .invalidValue("'\(record.fileName)' ended after \(received) of the \(declaredSize) bytes announced")
        }
        do {
            try flushBuffered(output)
            try output.synchronize()
        } catch {
            throw .database("cannot sync '\(record.fileName)': \(error)")
        }
        record.size = received
        record.sha256 = hasher.finalize().map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
        var record = self.record
        let temporary = self.temporary
        let repository = self.repository
        let replacing = self.replacing
        try repository.store.write { db in
            // Checked again here: another upload may have finished while this one was on its way.
            let others = try Int64.fetchOne(db, sql: "SELECT coalesce(sum(size), 0) FROM firmware WHERE id IS NOT ?", arguments: [replacing?.id]) ?? 0
            guard others + record.size <= FirmwareRepository.maximumTotalSize else {
                throw StoreError.tooLarge("'\(record.fileName)' would bring the repository past 300 MB in all")
            }
            if let replacing {
                // Only the file changes: version, notes or model may have been changed while the bytes arrived.
                guard var current = try FirmwareRecord.fetchOne(db, key: replacing.id) else {
                    throw StoreError.notFound("no firmware with id \(replacing.id ?? 0)")
                }
                current.fileName = record.fileName
                current.size = record.size
                current.sha256 = record.sha256
                current.createdAt = Date()
                record = current
                try record.update(db)
            } else {
                // Checked again too: another upload for the same model, spelled differently, may have finished first.
                try FirmwareRepository.checkUnique(db, vendor: record.vendor, model: record.model, excluding: nil)
                try record.insert(db)
            }
            // Inside the transaction: if the rename fails the row change is rolled back too.
            guard rename(temporary.path, repository.fileURL(record).path) == 0 else {
                throw StoreError.database("cannot move the firmware into place: \(String(cString: strerror(errno)))")
            }
        }
        if let replacing, repository.fileURL(replacing) != repository.fileURL(record) {
            // Phones still downloading the old file keep their open descriptor.
            try? FileManager.default.removeItem(at: repository.fileURL(replacing))
        }
        return record
    }

    private func flushBuffered(_ output: FileHandle) throws {
        guard !buffered.isEmpty else { return }
        hasher.update(data: buffered)
        try output.write(contentsOf: buffered)
        buffered.removeAll(keepingCapacity: true)
    }

    /// Drops the upload and its temporary file; safe to call more than once.
    public func cancel() {
        guard let output else { return }
        try? output.close()
        self.output = nil
        try? FileManager.default.removeItem(at: temporary)
    }
}
