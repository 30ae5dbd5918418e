import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// One log event with everything a line shows, secrets already masked.
struct LogRecord {
    /// UTC, milliseconds: `2026-12-02T10:04:05.123Z`.
    var time: String
    var level: Logger.Level
    var label: String
    var message: String
    var source: String
    var error: String?
    /// The handler's metadata, then the provider's, then the event's: later ones win, as in swift-log's own handlers.
    var metadata: Logger.Metadata

    /// What a metadata value is replaced with when its key names a secret.
    static let redacted = "[redacted]"

    init(event: LogEvent, label: String, handlerMetadata: Logger.Metadata, provider: Logger.MetadataProvider?, now: timespec = Self.now()) {
        time = Self.format(now)
        level = event.level
        self.label = label
        message = event.message.description
        source = event.source
        error = event.error.map { "\($0)" }
        var merged = handlerMetadata
        if let provided = provider?.get() { merged.merge(provided) { $1 } }
        if let own = event.metadata { merged.merge(own) { $1 } }
        metadata = Self.masked(merged)
    }

    /// Whether a metadata key names a secret. Nothing the daemon logs should carry one; this is the
    /// second line of defence, so a careless `metadata: ["password": …]` still never reaches the journal.
    static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["password", "secret", "token", "passwd", "credential"].contains { lowered.contains($0) }
    }

    static func masked(_ metadata: Logger.Metadata) -> Logger.Metadata {
        metadata.reduce(into: [:]) { result, entry in
            result[entry.key] = isSecret(entry.key) ? .string(redacted) : masked(entry.value)
        }
    }

    static func masked(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .dictionary(let dictionary): .dictionary(masked(dictionary))
        case .array(let values): .array(values.map(masked))
        case .string, .stringConvertible: value
        }
    }

    static func now() -> timespec {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return now
    }

    /// ISO 8601 in UTC with milliseconds, without Foundation's formatters (one per record would be slow).
    static func format(_ time: timespec) -> String {
        var seconds = time_t(time.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let milliseconds = Int32(time.tv_nsec / 1_000_000)
        return "\(padded(parts.tm_year + 1900, 4))-\(padded(parts.tm_mon + 1, 2))-\(padded(parts.tm_mday, 2))"
            + "T\(padded(parts.tm_hour, 2)):\(padded(parts.tm_min, 2)):\(padded(parts.tm_sec, 2)).\(padded(milliseconds, 3))Z"
    }
}
