import Foundation
import GRDB

/// The product's one SQLite file: settings, devices, bindings, templates, URI mappings,
/// local accounts and the binding audit log.
///
/// One `DatabasePool` (WAL) per process; every method is one transaction, so a
/// refused change writes nothing. Several processes (the daemon and the CLI) may
/// use the file at once.
public final class ProvisioningStore: Sendable {
    let pool: DatabasePool
    /// The database file.
    public let path: String

    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    /// - Parameters:
    ///   - path: The SQLite file.
    ///   - defaultHost: The Server Registration Address to seed on first start.
    /// - Throws: ``StoreError/database(_:)`` when the file cannot be opened or migrated.
    public init(path: String, defaultHost: String? = nil) throws(StoreError) {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.label = "autoprovision"
        configuration.prepareDatabase { db in
            // WAL with synchronous=NORMAL: a commit is one write, not an fsync; an application crash loses
            // nothing and a power cut at worst the last commits, never the file's integrity.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try StoreMigrations.migrator.migrate(pool)
        } catch {
            throw .database("cannot open \(path): \(Self.describe(error))")
        }
        self.path = path
        try write { db in
            try Self.seedIfNeeded(db, defaultHost: defaultHost)
        }
    }

    /// The change counter: it moves whenever anything a phone could see changes.
    public func revision() throws(StoreError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT value FROM revision WHERE id = 1") ?? 0 }
    }

    // MARK: - Transactions

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw Self.storeError(error)
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.write(body)
        } catch {
            throw Self.storeError(error)
        }
    }

    static func storeError(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_CONSTRAINT {
            return .conflict(error.message ?? "constraint violated")
        }
        return .database(describe(error))
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return String(describing: error)
    }

    // MARK: - Seeding

    private static func seedIfNeeded(_ db: Database, defaultHost: String?) throws {
        let existing = try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = 'guest-secret'")
        guard existing == nil else { return }
        try db.execute(sql: "INSERT INTO setting (key, value) VALUES ('guest-secret', ?)", arguments: [randomSecret(length: 24)])
        if let defaultHost, !defaultHost.isEmpty {
            try db.execute(sql: "INSERT OR IGNORE INTO setting (key, value) VALUES ('pbx-host', ?)", arguments: [defaultHost])
        }
    }

    /// A password of letters and digits from the system's secure generator.
    public static func randomSecret(length: Int) -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
