import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// The database file exists, is an SQLite file of ours, and takes a write lock.
///
/// The write is a `BEGIN IMMEDIATE` that is rolled back: it needs what a real write needs (the
/// file, and its directory for the `-wal` and `-shm` files, writable) and changes nothing.
public struct DatabaseCheck: DoctorCheck {
    public let name = "database"

    public init() {}

    public func run(_ context: DoctorContext) async -> CheckResult {
        let path = context.databasePath
        guard FileManager.default.fileExists(atPath: path) else {
            return CheckResult(
                .fail, name, "\(path) does not exist",
                fix: "give the daemon's database with --db or AUTOPROVISION_DB, or start 'autoprovision serve' once to create it")
        }
        let fix = "the user serve runs as needs read and write access to \(path) and to its directory (for the -wal and -shm files)"
        let directory = (path as NSString).deletingLastPathComponent
        if access(directory.isEmpty ? "." : directory, W_OK) != 0 {
            return CheckResult(.fail, name, "\(path): its directory is not writable (\(String(cString: strerror(errno))))", fix: fix)
        }
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(5)
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            let revision = try queue.inDatabase { db -> Int64 in
                guard try db.tableExists("revision") else { throw DatabaseCheckError("it holds no autoprovision tables") }
                let revision = try Int64.fetchOne(db, sql: "SELECT value FROM revision WHERE id = 1") ?? 0
                try db.execute(sql: "BEGIN IMMEDIATE")
                try db.execute(sql: "ROLLBACK")
                return revision
            }
            try queue.close()
            return CheckResult(.ok, name, "\(path) readable and writable (revision \(revision))")
        } catch let error as DatabaseCheckError {
            return CheckResult(.fail, name, "\(path): \(error.reason)", fix: "give the daemon's database with --db or AUTOPROVISION_DB")
        } catch let error as DatabaseError {
            return CheckResult(.fail, name, "\(path): \(error.message ?? "\(error.resultCode)")", fix: fix)
        } catch {
            return CheckResult(.fail, name, "\(path): \(error)", fix: fix)
        }
    }
}

/// The file opened but is not our database.
struct DatabaseCheckError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
