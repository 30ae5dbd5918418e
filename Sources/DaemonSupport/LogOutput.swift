import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Where a log handler puts its finished lines.
///
/// The process's lines go to standard error, each with one `write` under one lock, so records
/// from different threads never interleave; a test passes its own sink to read them back.
public struct LogOutput: Sendable {
    private let sink: @Sendable (String) -> Void

    /// - Parameter sink: Called once per record with the line, without its newline.
    public init(_ sink: @escaping @Sendable (String) -> Void) {
        self.sink = sink
    }

    /// Standard error, which journald takes when the daemon runs under systemd.
    public static let standardError = LogOutput { line in StandardErrorLines.write(line) }

    func write(_ line: String) {
        sink(line)
    }
}

/// Standard error, one whole line at a time.
enum StandardErrorLines {
    private static let lock = Mutex(())

    static func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0, errno == EINTR { continue }
                    // A closed or full standard error loses the line rather than stopping the daemon.
                    guard written > 0 else { return }
                    offset += written
                }
            }
        }
    }
}
