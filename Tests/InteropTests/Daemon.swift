import Foundation
import TestCLI

#if canImport(Glibc)
    import Glibc
#endif

/// `autoprovision serve` as a process of its own, its log in a file the test reads while it runs.
final class Daemon: Sendable {
    let process: Spawned
    let logURL: URL

    init(cli: CLI, arguments: [String], environment: [String: String] = [:]) throws {
        logURL = cli.directory.appendingPathComponent("serve-\(UUID().uuidString).log")
        process = try Spawned(
            [CLI.executable.path, "serve", "--db", cli.database, "--log-level", "debug"] + arguments, output: logURL.path,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }
        )
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Waits until the log holds `text`.
    func waitForLog(_ text: String, timeout: Duration = .seconds(20)) async throws {
        guard await eventually(timeout, { log.contains(text) }) else {
            throw InteropError("the daemon did not log '\(text)' within \(timeout); its log:\n\(log.suffix(4000))")
        }
    }

    func stop() async {
        process.signal(SIGINT)
        if !(await process.wait(.seconds(10))) {
            process.signal(SIGKILL)
            await process.wait(.seconds(2))
        }
    }
}
