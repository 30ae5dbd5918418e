#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file written completely and synced beside its final path, waiting to be renamed into place.
///
/// A rename within a directory replaces the file at once: a reader sees the old file or the new one,
/// never half of one. Writing every file of an update before renaming any means a full disk or a
/// missing permission leaves all the old files in place.
struct StagedFile: Sendable {
    let temporaryPath: String
    let finalPath: String

    /// Writes `contents` to a new temporary file beside `path` with `mode`, and syncs it.
    static func stage(_ contents: String, at path: String, mode: mode_t) throws(CertificateError) -> StagedFile {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let temporary = "\(directory)/.\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        // O_EXCL: never write through a file or symlink someone else put at the temporary name; the
        // mode is set at creation, so a key is never readable by others, not even for a moment.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard descriptor >= 0 else { throw CertificateError("cannot create \(temporary): \(Self.lastError)") }
        var closed = false
        defer { if !closed { close(descriptor) } }
        do throws(CertificateError) {
            // The umask may have narrowed the mode; the file's mode is the one asked for.
            guard fchmod(descriptor, mode) == 0 else { throw CertificateError("cannot set the mode of \(temporary): \(Self.lastError)") }
            let bytes = Array(contents.utf8)
            var offset = 0
            while offset < bytes.count {
                let count = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                guard count > 0 else { throw CertificateError("cannot write \(temporary): \(Self.lastError)") }
                offset += count
            }
            guard fsync(descriptor) == 0 else { throw CertificateError("cannot sync \(temporary): \(Self.lastError)") }
            closed = true
            guard close(descriptor) == 0 else { throw CertificateError("cannot write \(temporary): \(Self.lastError)") }
        } catch {
            unlink(temporary)
            throw error
        }
        return StagedFile(temporaryPath: temporary, finalPath: path)
    }

    /// Renames the temporary file into place.
    func commit() throws(CertificateError) {
        guard rename(temporaryPath, finalPath) == 0 else {
            throw CertificateError("cannot rename \(temporaryPath) to \(finalPath): \(Self.lastError)")
        }
    }

    /// Removes the temporary file of an update that is given up.
    func discard() {
        unlink(temporaryPath)
    }

    /// Syncs `directory`, so that the renames in it survive a power cut.
    static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    private static var lastError: String { String(cString: strerror(errno)) }
}
