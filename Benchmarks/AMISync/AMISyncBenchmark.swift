// Full-sync benchmark: a scripted Asterisk with N PJSIP endpoints, and the real
// daemon (`autoprovision serve --ami`) syncing from it. Prints the daemon's own
// sync time and its resident memory before and after the sync.
//
// Usage: swift run -c release ami-sync-benchmark [ENDPOINTS] [PATH-TO-autoprovision]

import AMI
import Foundation
import ScriptedAMIServer
import Synchronization

@main
struct AMISyncBenchmark {
    static func main() async throws {
        let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 5000 : 5000
        let binary =
            CommandLine.arguments.count > 2
            ? CommandLine.arguments[2]
            : URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("autoprovision").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            FileHandle.standardError.write(Data("autoprovision binary not found at \(binary); build it first (swift build -c release)\n".utf8))
            exit(2)
        }

        let server = try await ScriptedAMIServer.start { state in
            state.holdEndpointList = true
            state.endpoints = (0..<count).map { index in
                let name = String(10000 + index)
                return ScriptedAMIServer.Endpoint(
                    name: name, password: "pw-\(name)-\(index * 7919 % 100_003)", callerID: "\"User \(name)\" <\(name)>",
                    contacts: index % 2 == 0 ? ["sip:\(name)@10.\(index / 65536 % 256).\(index / 256 % 256).\(index % 256):5060"] : []
                )
            }
        }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ami-sync-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: binary)
        daemon.arguments = [
            "serve", "--db", directory.appendingPathComponent("bench.sqlite").path, "--bind", "127.0.0.1", "--http-port", "0", "--agi", "off",
            "--admin", "off", "--no-pnp",
            "--ami", "127.0.0.1:\(server.port)",
        ]
        daemon.environment = ProcessInfo.processInfo.environment.merging(["AUTOPROVISION_AMI_SECRET": "amisecret"]) { $1 }
        let logFile = directory.appendingPathComponent("daemon.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        daemon.standardError = try FileHandle(forWritingTo: logFile)
        try daemon.run()

        // The daemon has logged in and asked for the endpoint list: it is up, and has synced nothing yet.
        while server.received("PJSIPShowEndpoints").isEmpty {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(300))
        let before = residentKiB(daemon.processIdentifier)
        let started = ContinuousClock.now
        server.state.withLock { $0.holdEndpointList = false }

        var syncLine: String?
        while syncLine == nil, ContinuousClock.now - started < .seconds(60) {
            try await Task.sleep(for: .milliseconds(10))
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            syncLine = log.split(separator: "\n").first { $0.contains("AMI sync:") }.map(String.init)
        }
        let observed = ContinuousClock.now - started
        try await Task.sleep(for: .milliseconds(500))
        let after = residentKiB(daemon.processIdentifier)
        daemon.terminate()
        daemon.waitUntilExit()
        await server.stop()

        guard let syncLine else {
            print("no sync within 60 s; daemon log: \(logFile.path)")
            exit(1)
        }
        let actions = server.state.withLock { $0.received.count }
        print("endpoints:            \(count)")
        print("daemon's log:         \(syncLine.split(separator: "]").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? syncLine)")
        print("full sync (observed): \(observed.formatted(.units(allowed: [.seconds, .milliseconds], width: .abbreviated)))")
        print("AMI actions received: \(actions)")
        print("resident memory:      \(before / 1024) MiB before sync, \(after / 1024) MiB after (growth \((after - before) / 1024) MiB)")
    }

    static func residentKiB(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
