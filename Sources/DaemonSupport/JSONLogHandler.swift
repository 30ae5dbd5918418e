public import Logging

/// Writes each record as one JSON object on one line:
/// `{"ts":"…","level":"info","logger":"autoprovision","source":"HTTPTFTP","msg":"…","key":"value"}`.
///
/// Metadata keys sit beside the fixed fields (a key that would shadow one is written as `meta.KEY`);
/// nested dictionaries and arrays stay JSON objects and arrays. Values whose key names a secret are
/// written as `[redacted]`.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let output: LogOutput

    /// - Parameters:
    ///   - label: The logger's label, written as `"logger"`.
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

    static func line(_ record: LogRecord) -> String {
        var members: [(String, String)] = [
            ("ts", string(record.time)), ("level", string(record.level.rawValue)), ("logger", string(record.label)),
            ("source", string(record.source)), ("msg", string(record.message)),
        ]
        if let error = record.error { members.append(("error", string(error))) }
        for (key, value) in record.metadata.sorted(by: { $0.key < $1.key }) {
            members.append((LogfmtLogHandler.fixedKeys.contains(key) ? "meta.\(key)" : key, json(value)))
        }
        return "{" + members.map { "\(string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    static func json(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): string(text)
        case .stringConvertible(let convertible): string(convertible.description)
        case .array(let values): "[" + values.map(json).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            "{" + dictionary.sorted(by: { $0.key < $1.key }).map { "\(string($0.key)):\(json($0.value))" }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped, the rest as is.
    static func string(_ text: String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            case _ where scalar.value < 0x20: quoted += "\\u" + hex4(scalar.value)
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }

    static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
