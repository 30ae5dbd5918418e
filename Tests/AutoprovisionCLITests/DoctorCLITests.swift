import Foundation
import ScriptedAMIServer
import TestCLI
import TestNetwork
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
        try await cli.run(["settings", "set", "http-port", String(freePort(in: 10000..<32000))])
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

    static let nft = ["/usr/sbin/nft", "/sbin/nft"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var firewallUnavailable: String? {
        PhoneNamespace.unavailableReason ?? (nft == nil ? "needs nftables' nft command" : nil)
    }
    static var firewallSkip: String? { ProcessInfo.processInfo.environment["CI"] == "true" ? nil : firewallUnavailable }

    /// A real nftables ruleset in a network namespace of its own: the doctor names what it drops,
    /// and the rules it prints, run as printed, make it pass.
    @Test(.enabled(if: firewallSkip == nil, "skipped: \(firewallSkip ?? "")"))
    func firewallRulesThatDropPhonesAreNamedAndThePrintedFixWorks() async throws {
        if let reason = Self.firewallUnavailable { throw CLITestError("CI=true, and the firewall test cannot run: \(reason)") }
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.run(["settings", "set", "http-port", "8480"])
        let ip = PhoneNamespace.ipCommand!
        let namespace = "apdoc\(UInt16.random(in: 0..<UInt16.max))"
        _ = try await PhoneNamespace.run(ip, ["netns", "add", namespace])
        defer {
            // A namespace outlives the test unless deleted.
            let delete = Process()
            delete.executableURL = URL(fileURLWithPath: ip)
            delete.arguments = ["netns", "del", namespace]
            try? delete.run()
            delete.waitUntilExit()
        }
        let rules = cli.directory.appendingPathComponent("rules.nft").path
        try """
        table inet filter {
          chain input {
            type filter hook input priority filter; policy drop;
            ct state established,related accept
            iif "lo" accept
            tcp dport 22 accept
          }
        }

        """.write(toFile: rules, atomically: true, encoding: .utf8)
        _ = try await PhoneNamespace.run(ip, ["netns", "exec", namespace, Self.nft!, "-f", rules])

        func doctorFirewallLine() throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ip)
            process.arguments = ["netns", "exec", namespace, CLI.executable.path, "doctor", "--db", cli.database]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return text.split(separator: "\n").map(String.init).first { $0.contains(" firewall: ") } ?? text
        }
        let dropped = try doctorFirewallLine()
        #expect(
            dropped
                == "FAIL firewall: nftables: inet filter input drops 8480/tcp, 224.0.1.75:5060/udp — fix: "
                + "nft insert rule inet filter input tcp dport 8480 accept; nft insert rule inet filter input ip daddr 224.0.1.75 udp dport 5060 accept"
        )
        for command in dropped.components(separatedBy: " — fix: ").last!.components(separatedBy: "; ") {
            let words = command.split(separator: " ").map(String.init)
            #expect(words.first == "nft")
            _ = try await PhoneNamespace.run(ip, ["netns", "exec", namespace, Self.nft!] + words.dropFirst())
        }
        #expect(try doctorFirewallLine() == "ok   firewall: nftables lets in 8480/tcp, 224.0.1.75:5060/udp")
    }
}

struct CLITestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
