import Foundation
import TestCLI
import TestHTTP
import Testing

/// `serve` as systemd runs it: the notify protocol on a socket the test owns, the log formats
/// journald takes, the state directory, and `--version`.
@Suite struct SystemdServiceTests {
    /// The records of a JSON log, one object per line.
    static func records(_ log: URL) throws -> [[String: Any]] {
        try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw CocoaError(.coderReadCorrupt, userInfo: [NSDebugDescriptionErrorKey: "not a JSON object: \(line)"])
            }
            return object
        }
    }

    static func emptyLog(_ cli: CLI) -> URL {
        let log = cli.directory.appendingPathComponent("serve-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        return log
    }

    static func stop(_ serve: Process) async -> Int32 {
        serve.terminate()
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                serve.waitUntilExit()
                continuation.resume(returning: serve.terminationStatus)
            }
        }
    }

    @Test func readyOnceListeningThenWatchdogThenStopping() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let socket = try NotifySocket(cli.directory.appendingPathComponent("notify").path)
        let log = Self.emptyLog(cli)
        let serve = try cli.serve(
            ["--bind", "127.0.0.1", "--http-port", "0", "--log-format", "json"], log: log,
            environment: ["NOTIFY_SOCKET": socket.address, "WATCHDOG_USEC": "400000"])
        defer { if serve.isRunning { serve.terminate() } }

        let ready = await socket.receive()
        #expect(ready == "READY=1\nSTATUS=serving 0 phones; credentials from local accounts", "\(String(describing: ready))")
        // READY=1 comes after the listener is bound: the port it logged answers now.
        let listening = try Self.records(log).compactMap { $0["msg"] as? String }.first { $0.hasPrefix("provisioning HTTP listening on") }
        let port = try #require(listening.flatMap { $0.split(separator: ":").last.map(String.init) })
        #expect(try await Curl.fetch("http://127.0.0.1:\(port)/001565aabbcc.cfg").status == 404)

        // WATCHDOG_USEC 400 ms: a ping every 200 ms.
        let collecting = Task { await socket.collect(until: "STOPPING=1") }
        try await Task.sleep(for: .milliseconds(1000))
        #expect(await Self.stop(serve) == 0)
        let rest = await collecting.value
        #expect(rest.last == "STOPPING=1", "\(rest)")
        let pings = rest.dropLast()
        #expect(pings.count >= 3 && pings.allSatisfy { $0 == "WATCHDOG=1" }, "\(rest)")

        // Every record is one JSON object with the fixed fields; the starting line carries its metadata.
        let records = try Self.records(log)
        #expect(records.allSatisfy { $0["ts"] is String && $0["level"] is String && $0["msg"] is String && $0["logger"] is String })
        let starting = try #require(records.first { $0["msg"] as? String == "autoprovision starting" })
        #expect(starting["db"] as? String == cli.database)
        #expect((starting["version"] as? String)?.isEmpty == false)
    }

    @Test func abstractSocketAndAWatchdogMeantForAnotherProcess() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let socket = try NotifySocket("@autoprovision-test-\(UUID().uuidString)")
        let serve = try cli.serve(
            ["--bind", "127.0.0.1", "--http-port", "0"],
            environment: ["NOTIFY_SOCKET": socket.address, "WATCHDOG_USEC": "100000", "WATCHDOG_PID": "1"])
        defer { if serve.isRunning { serve.terminate() } }
        let ready = await socket.receive()
        #expect(ready?.hasPrefix("READY=1\nSTATUS=serving 0 phones") == true, "\(String(describing: ready))")
        let collecting = Task { await socket.collect(until: "STOPPING=1") }
        try await Task.sleep(for: .milliseconds(400))
        #expect(await Self.stop(serve) == 0)
        // WATCHDOG_PID names PID 1, not the daemon: no pings, only the stop.
        #expect(await collecting.value == ["STOPPING=1"])
    }

    @Test func aSocketThatIsNotThereCostsOneWarningAndTheDaemonRunsOn() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let log = Self.emptyLog(cli)
        let nowhere = cli.directory.appendingPathComponent("no-such-socket").path
        let serve = try cli.serve(
            ["--bind", "127.0.0.1", "--http-port", "0", "--log-format", "logfmt"], log: log,
            environment: ["NOTIFY_SOCKET": nowhere, "WATCHDOG_USEC": "100000"])
        defer { if serve.isRunning { serve.terminate() } }
        var text = ""
        for _ in 0..<100 where !text.contains("provisioning HTTP listening on") {
            try await Task.sleep(for: .milliseconds(100))
            text = try String(contentsOf: log, encoding: .utf8)
        }
        // A second of watchdog pings that all fail.
        try await Task.sleep(for: .seconds(1))
        #expect(serve.isRunning)
        #expect(await Self.stop(serve) == 0)
        text = try String(contentsOf: log, encoding: .utf8)
        let warnings = text.split(separator: "\n").filter { $0.contains("NOTIFY_SOCKET") }
        #expect(warnings.count == 1, "\(text)")
        #expect(warnings.first?.contains("level=warning") == true && warnings.first?.contains(nowhere) == true, "\(text)")
        // logfmt: every line starts with the timestamp and names its level.
        #expect(text.split(separator: "\n").allSatisfy { $0.hasPrefix("ts=") && $0.contains(" level=") }, "\(text)")
    }

    @Test func withoutNotifySocketNothingIsSaidAboutIt() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let log = Self.emptyLog(cli)
        let serve = try cli.serve(["--bind", "127.0.0.1", "--http-port", "0"], log: log, environment: ["NOTIFY_SOCKET": ""])
        defer { if serve.isRunning { serve.terminate() } }
        var text = ""
        for _ in 0..<100 where !text.contains("provisioning HTTP listening on") {
            try await Task.sleep(for: .milliseconds(100))
            text = try String(contentsOf: log, encoding: .utf8)
        }
        #expect(await Self.stop(serve) == 0)
        text = try String(contentsOf: log, encoding: .utf8)
        #expect(!text.contains("NOTIFY_SOCKET") && !text.contains("systemd"), "\(text)")
    }

    @Test func underSystemdTheDatabaseIsInTheStateDirectory() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let state = cli.directory.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        // systemd's StateDirectory= sets STATE_DIRECTORY; AUTOPROVISION_DB, when set, still wins.
        let environment = ["AUTOPROVISION_DB": "", "STATE_DIRECTORY": state.path]
        #expect(try await cli.run(["settings", "set", "pbx-host", "192.0.2.10"], environment: environment).status == 0)
        #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("autoprovision.sqlite").path))
        #expect(try await cli.run(["settings", "show"], environment: environment).stdout.contains("192.0.2.10"))
        #expect(!FileManager.default.fileExists(atPath: cli.database))
        #expect(try await cli.run(["settings", "show"], environment: ["STATE_DIRECTORY": state.path]).stdout.contains("192.0.2.10") == false)
    }

    @Test func versionPrintsTheNumberAndTheCommit() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let result = try await cli.run(["--version"])
        #expect(result.status == 0)
        // A plain build records no commit; packaging/build-deb.sh builds record theirs.
        let line = result.stdout.trimmingCharacters(in: .newlines)
        #expect(line.wholeMatch(of: /[0-9]+\.[0-9]+\.[0-9]+ \((commit not recorded|[0-9a-f]{7}(-modified)?)\)/) != nil, "\(line)")
    }
}
