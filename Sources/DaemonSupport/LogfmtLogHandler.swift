public import Logging

/// Writes each record as one logfmt line: `ts=… level=info logger=autoprovision source=HTTPTFTP msg="…" key=value …`.
///
/// Metadata follows the fixed fields, sorted by key; a nested dictionary becomes `key.inner=…`.
/// Values whose key names a secret (password, secret, token…) are written as `[redacted]`.
public struct LogfmtLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let output: LogOutput

    /// - Parameters:
    ///   - label: The logger's label, written as `logger=`.
    ///   - output: Where the lines go.
    ///   - metadataProvider: Adds metadata to every record, as in swift-log's own handlers.
    public init(label: String, output: LogOutput = .standardError, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.output = output
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let record = LogRecord(event: event, label: label, handlerMetadata: metadata, provider: metadataProvider)
        output.write(Self.line(record))
    }

    static let fixedKeys: Set<String> = ["ts", "level", "logger", "source", "msg", "error"]

    static func line(_ record: LogRecord) -> String {
        var fields: [(String, String)] = [
            ("ts", record.time), ("level", record.level.rawValue), ("logger", record.label), ("source", record.source), ("msg", record.message),
        ]
        if let error = record.error { fields.append(("error", error)) }
        var flat: [(String, String)] = []
        flatten(record.metadata, prefix: "", into: &flat)
        for (key, value) in flat.sorted(by: { $0.0 < $1.0 }) {
            // A metadata key never passes for one of the fixed fields.
            fields.append((fixedKeys.contains(key) ? "meta.\(key)" : key, value))
        }
        return fields.map { "\(Self.key($0.0))=\(Self.value($0.1))" }.joined(separator: " ")
    }

    static func flatten(_ metadata: Logger.Metadata, prefix: String, into fields: inout [(String, String)]) {
        for (key, value) in metadata {
            switch value {
            case .dictionary(let inner): flatten(inner, prefix: "\(prefix)\(key).", into: &fields)
            case .string(let text): fields.append((prefix + key, text))
            case .stringConvertible(let convertible): fields.append((prefix + key, convertible.description))
            case .array: fields.append((prefix + key, value.description))
            }
        }
    }

    /// A key is a run of printable characters without `=` or `"`; anything else becomes `_`.
    static func key(_ key: String) -> String {
        guard !key.isEmpty else { return "_" }
        return String(key.unicodeScalars.map { $0.value <= 0x20 || $0 == "=" || $0 == "\"" || $0.value == 0x7F ? "_" : Character($0) })
    }

    /// A value is bare when it can be, else quoted with `\"`, `\\` and control characters escaped, so a record stays on one line.
    static func value(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty || value.unicodeScalars.contains { $0.value <= 0x20 || $0 == "=" || $0 == "\"" || $0 == "\\" || $0.value == 0x7F }
        guard needsQuotes else { return value }
        var quoted = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: quoted += "\\u" + JSONLogHandler.hex4(scalar.value)
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}
