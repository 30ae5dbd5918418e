public import Logging

/// How `serve` writes its log records on standard error.
public enum LogFormat: String, CaseIterable, Sendable {
    /// swift-log's own human-readable lines.
    case text
    /// One logfmt line per record (`ts=… level=info logger=… msg="…" key=value`).
    case logfmt
    /// One JSON object per line.
    case json

    /// A handler of this format for the logger `label`.
    /// - Parameters:
    ///   - label: The logger's label.
    ///   - level: The lowest level written.
    ///   - output: Where the lines go (standard error unless a test says otherwise).
    public func handler(label: String, level: Logger.Level, output: LogOutput = .standardError) -> any LogHandler {
        switch self {
        case .text:
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        case .logfmt:
            var handler = LogfmtLogHandler(label: label, output: output)
            handler.logLevel = level
            return handler
        case .json:
            var handler = JSONLogHandler(label: label, output: output)
            handler.logLevel = level
            return handler
        }
    }
}
