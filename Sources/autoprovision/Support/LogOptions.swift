public import ArgumentParser
import DaemonSupport
public import Logging

/// How `serve` logs: the level and the line format, on standard error.
struct LogOptions: ParsableArguments {
    @Option(help: "trace, debug, info, notice, warning, error or critical.") var logLevel: Logger.Level = .info
    @Option(help: "text, logfmt or json: one line per record on standard error (journald takes it under systemd).")
    var logFormat: LogFormat = .text

    /// Makes every logger of the process use these options. Called once, before the first logger is made.
    func bootstrap() {
        let level = logLevel
        let format = logFormat
        LoggingSystem.bootstrap { label in format.handler(label: label, level: level) }
    }
}

extension LogFormat: ExpressibleByArgument {}

// Neither swift-log nor ArgumentParser can declare this; only the executable that uses both can.
// swift-format-ignore: AvoidRetroactiveConformances
extension Logger.Level: @retroactive ExpressibleByArgument {}
