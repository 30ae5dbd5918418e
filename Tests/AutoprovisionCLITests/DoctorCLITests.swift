import Foundation
import ScriptedAMIServer
import TestCLI
import Testing

/// `autoprovision doctor` through the binary, without Asterisk: its exit status, its lines, and an
/// AMI that never answers (the real Asterisk runs in `DoctorInteropTests`).
@Suite struct DoctorCLITests {
    @Test func aMissingDatabaseFailsWithoutCreatingIt() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let result = try await cli.run(["doctor"])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines.first
                == "FAIL database: \(cli.database) does not exist — fix: give the daemon's database with --db or AUTOPROVISION_DB, "
                + "or start 'autoprovision serve' once to create it")
        #expect(lines.contains { $0.hasPrefix("warn ami: not checked: no AMI address given") })
        #expect(lines.last?.hasSuffix(" checks failed (1 warning)") == true)
        #expect(!FileManager.default.fileExists(atPath: cli.database))
        #expect(try await cli.run(["doctor", "--agi", "nope"]).stderr == "Error: --agi 'nope' must be HOST:PORT\n")
    }

    @Test func aHungAMIFailsEachCheckWithinFiveSeconds() async throws {
        let server = try await ScriptedAMIServer.start { $0.silent = true }
        defer { Task { await server.stop() } }
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.run(["settings", "set", "http-port", String(Int.random(in: 20000..<30000))])
        let started = ContinuousClock.now
        let result = try await cli.run(["doctor", "--ami", "127.0.0.1:\(server.port)"], environment: ["AUTOPROVISION_AMI_SECRET": "amisecret"])
        #expect(ContinuousClock.now - started < .seconds(8))
        #expect(result.status == 1)
        let said = "AMI at 127.0.0.1:\(server.port) accepted the connection but said nothing within 5 s (AMI hung?)"
        #expect(result.stdout.contains("FAIL ami-login: \(said) — fix: "))
        for name in ["ami-permissions", "endpoints", "guest-endpoint", "dialplan", "notify"] {
            #expect(result.stdout.contains("FAIL \(name): not checked: no AMI session (\(said))\n"))
        }
        #expect(result.stdout.contains("ok   database: \(cli.database) readable and writable"))
        #expect(!result.stdout.contains("amisecret"))
    }
}
