import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The directory whose generated Asterisk files (``AsteriskConfigFiles``) the admin includes once.
///
/// Every file is written whole to a temporary file, synced and renamed, so Asterisk never reads
/// half a file; the temporary files of one update are all written before any is renamed, so a full
/// disk or a missing permission changes nothing. `pjsip.conf` holds the guest secret: mode 0600.
public struct AsteriskConfigDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The `#include` lines the admin adds once, by the file they go into.
    public var includeLines: String {
        """
        ; /etc/asterisk/extensions.conf (FreePBX: extensions_custom.conf)
        #include "\(path)/extensions.conf"
        ; /etc/asterisk/pjsip.conf (FreePBX: pjsip_custom.conf)
        #include "\(path)/pjsip.conf"

        """
    }

    /// Writes the files whose contents differ from what is on disk.
    /// - Parameter files: Names and contents, as ``AsteriskConfigFiles/render(settings:agiAddress:lanNetworks:monitored:)`` gives them.
    /// - Returns: The names of the files written.
    /// - Throws: ``AsteriskConfigWriteError``; nothing was changed then.
    @discardableResult
    public func update(_ files: [(name: String, contents: String)]) throws(AsteriskConfigWriteError) -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw AsteriskConfigWriteError(path: path, reason: "cannot create the directory: \(error.localizedDescription)")
        }
        let changed = files.filter { file in
            FileManager.default.contents(atPath: "\(path)/\(file.name)") != Data(file.contents.utf8)
        }
        var written: [(temporary: String, final: String)] = []
        defer {
            for file in written { unlink(file.temporary) }
        }
        for file in changed {
            let final = "\(path)/\(file.name)"
            let temporary = "\(path)/.\(file.name).\(getpid()).tmp"
            unlink(temporary)
            written.append((temporary, final))
            try Self.write(Array(file.contents.utf8), to: temporary, mode: file.name == "pjsip.conf" ? 0o600 : 0o644)
        }
        for (index, file) in written.enumerated() where rename(file.temporary, file.final) != 0 {
            let reason = String(cString: strerror(errno))
            // Files renamed before this one are complete and consistent on their own; say which.
            let done = written[..<index].map(\.final).joined(separator: ", ")
            throw AsteriskConfigWriteError(
                path: file.final, reason: "cannot rename into place: \(reason)" + (done.isEmpty ? "" : " (already replaced: \(done))"))
        }
        written.removeAll()
        return changed.map(\.name)
    }

    private static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws(AsteriskConfigWriteError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw AsteriskConfigWriteError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        // The umask may have narrowed the mode; the file's mode is the one asked for.
        fchmod(descriptor, mode)
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw AsteriskConfigWriteError(path: path, reason: String(cString: strerror(errno))) }
            offset += count
        }
        guard fsync(descriptor) == 0 else { throw AsteriskConfigWriteError(path: path, reason: String(cString: strerror(errno))) }
    }
}

/// The generated Asterisk files could not be written.
public struct AsteriskConfigWriteError: Error, Hashable, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}
