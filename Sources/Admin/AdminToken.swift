import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The bearer token of the admin API: made at first start, kept beside the database with mode 0600.
public enum AdminToken {
    /// `admin.token` in the database's directory.
    public static func path(forDatabase database: String) -> String {
        URL(fileURLWithPath: database).deletingLastPathComponent().appendingPathComponent("admin.token").path
    }

    /// Reads the token, or makes one (32 random bytes as hex) when the file does not exist.
    /// - Throws: ``AdminTokenError`` when the file cannot be read or written, or holds no usable token.
    public static func loadOrCreate(path: String) throws(AdminTokenError) -> String {
        if let existing = try read(path) { return existing }
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let token = bytes.map { String(format: "%02x", $0) }.joined()
        // O_EXCL: when two processes start at once, one makes the token and the other reads it.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST, let existing = try read(path) { return existing }
            throw AdminTokenError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let line = Array((token + "\n").utf8)
        guard write(fd, line, line.count) == line.count, fsync(fd) == 0 else {
            unlink(path)
            throw AdminTokenError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return token
    }

    private static func read(_ path: String) throws(AdminTokenError) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw AdminTokenError("cannot read \(path)") }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= 32, token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw AdminTokenError("\(path) holds no usable token (at least 32 printable characters); remove it to make a new one")
        }
        return token
    }
}

/// Why the admin token could not be had.
public struct AdminTokenError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
