import AMI
import Foundation
import ScriptedAMIServer
import Synchronization
import TestCLI
import TestHTTP
import TestNetwork
import Testing

/// The CLI and the daemon against a scripted Asterisk manager interface.
@Suite struct AMICLITests {
    static let endpoints = [
        ScriptedAMIServer.Endpoint(name: "201", password: "ami-pw-201", callerID: "\"Irina Smirnova\" <201>", contacts: ["sip:201@127.0.0.1:5060"]),
        ScriptedAMIServer.Endpoint(name: "203", password: "", authType: "md5"),
    ]

    func secretFile(_ cli: CLI) throws -> String {
        let path = cli.directory.appendingPathComponent("ami.secret").path
        try "amisecret\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func amiCheckPrintsTheEndpointTable() async throws {
        let server = try await ScriptedAMIServer.start { $0.endpoints = Self.endpoints }
        defer { Task { await server.stop() } }
        let cli = try CLI()
        defer { cli.cleanUp() }
        let result = try await cli.run(["ami", "check", "--ami", "127.0.0.1:\(server.port)", "--ami-secret-file", secretFile(cli)])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("connected to 127.0.0.1:\(server.port) as autoprovision (AMI 11.0.0)") == true)
        #expect(lines.contains { $0.hasPrefix("201 ") && $0.contains("********") && $0.contains("Irina Smirnova") && $0.hasSuffix("provisionable") })
        #expect(lines.contains { $0.hasPrefix("203 ") && $0.contains("NOT provisionable") && $0.contains("md5") })
        #expect(!result.stdout.contains("ami-pw-201"))
        #expect(lines.contains("1 provisionable, 1 not"))
    }

    @Test func amiCheckFailsClearly() async throws {
        let server = try await ScriptedAMIServer.start()
        defer { Task { await server.stop() } }
        let cli = try CLI()
        defer { cli.cleanUp() }
        let wrong = cli.directory.appendingPathComponent("wrong").path
        try "nope".write(toFile: wrong, atomically: true, encoding: .utf8)
        let refused = try await cli.run(["ami", "check", "--ami", "127.0.0.1:\(server.port)", "--ami-secret-file", wrong])
        #expect(refused.status != 0)
        #expect(refused.stderr == "Error: AMI login refused: Authentication failed\n")
        let noSecret = try await cli.run(["ami", "check", "--ami", "127.0.0.1:\(server.port)"])
        #expect(noSecret.stderr.contains("no secret"))
        #expect(try await cli.run(["ami", "check", "--ami", "host:notaport", "--ami-secret-file", wrong]).stderr.contains("not an AMI address"))
    }

    @Test func serveTakesCredentialsFromAsteriskAndRebootReachesOnlyThatPhone() async throws {
        let server = try await ScriptedAMIServer.start { $0.endpoints = Self.endpoints }
        defer { Task { await server.stop() } }
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.run(["device", "add", "001565aabbcc", "--extension", "201"])
        let port = freePort(in: 10000..<32000)
        let serve = Process()
        serve.executableURL = CLI.executable
        serve.arguments = [
            "serve", "--db", cli.database, "--bind", "127.0.0.1", "--http-port", String(port), "--agi", "127.0.0.1:0", "--admin", "127.0.0.1:0",
            "--no-pnp", "--ami", "127.0.0.1:\(server.port)",
        ]
        serve.environment = ProcessInfo.processInfo.environment.merging(["AUTOPROVISION_AMI_SECRET": "amisecret"]) { $1 }
        let log = Pipe()
        serve.standardError = log
        serve.standardOutput = Pipe()
        try serve.run()
        defer { if serve.isRunning { serve.terminate() } }
        var body = ""
        // Up to 30 s: this checks that the credentials arrive, not how fast, and the suite may be busy (Chromium).
        for _ in 0..<300 where !body.contains("ami-pw-201") {
            try await Task.sleep(for: .milliseconds(100))
            body = (try? await Curl.fetch("http://127.0.0.1:\(port)/001565aabbcc.cfg", ["--max-time", "2"]))?.body ?? ""
        }
        #expect(body.contains("account.1.password = ami-pw-201\n"))
        #expect(body.contains("account.1.display_name = Irina Smirnova\n"))

        // The fetch recorded 127.0.0.1 as the phone's address; its contact there is endpoint 201's only one.
        try await Task.sleep(for: .milliseconds(1500))
        let reboot = try await cli.run(
            ["device", "reboot", "001565aabbcc", "--ami", "127.0.0.1:\(server.port)"], environment: ["AUTOPROVISION_AMI_SECRET": "amisecret"])
        #expect(reboot.status == 0, "\(reboot.stderr)")
        #expect(reboot.stdout == "check-sync sent through Asterisk (Endpoint: 201)\n")
        let notifies = server.received("PJSIPNotify")
        #expect(notifies.count == 1)
        #expect(notifies.first?["Endpoint"] == "201")
        #expect(notifies.first?["Variable"] == "Event=check-sync;reboot=true")

        kill(serve.processIdentifier, SIGTERM)
        serve.waitUntilExit()
        let output = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(serve.terminationStatus == 0)
        #expect(output.contains("endpoint 203 cannot be provisioned"))
        #expect(!output.contains("ami-pw-201") && !output.contains("amisecret"), "a secret reached the log")
    }
}
