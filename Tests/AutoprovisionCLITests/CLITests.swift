import Foundation
import Provisioning
import TestCLI
import TestHTTP
import TestNetwork
import Testing

@Suite struct CLITests {
    @Test func walkThroughFromTheREADME() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try await cli.run(["settings", "set", "pbx-host", "192.0.2.10"]).status == 0)
        let added = try await cli.run(
            ["account", "add", "204", "--password-env", "SIP_PASSWORD", "--name", "Bob"], environment: ["SIP_PASSWORD": "Tr0ub4dor&3"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try await cli.run(["device", "add", "00:15:65:AA:BB:CC", "--extension", "204"]).status == 0)

        let masked = try await cli.run(["render", "001565aabbcc"])
        #expect(masked.status == 0)
        #expect(masked.stdout.contains("account.1.password = ********\n"))
        #expect(!masked.stdout.contains("Tr0ub4dor&3"))
        let shown = try await cli.run(["render", "00-15-65-aa-bb-cc", "--show-secrets"])
        #expect(shown.stdout.contains("account.1.password = Tr0ub4dor&3\n"))
        #expect(shown.stdout.hasPrefix("#!version:1.0.0.1\n"))

        let list = try await cli.run(["account", "list"])
        #expect(!list.stdout.contains("Tr0ub4dor&3"))
        #expect(try await cli.run(["account", "list", "--show-secrets"]).stdout.contains("Tr0ub4dor&3"))

        let json = try await cli.run(["device", "list", "--json"])
        let devices = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(devices?.first?["mac"] as? String == "00:15:65:aa:bb:cc")
        #expect(devices?.first?["vendor"] as? String == "yealink")
    }

    @Test func errorsAreOneLineNonZeroAndWriteNothing() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.run(["device", "list"])
        let cases: [[String]] = [
            ["device", "add", "not-a-mac"],
            ["device", "add", "001565aabbcc", "--template", "missing"],
            ["device", "add", "001565aabbcc", "--extension", "bad ext"],
            ["device", "bind", "001565aabbcc", "204"],
            ["settings", "set", "http-port", "99999"],
            ["settings", "set", "mac-whitelist", "001565aabbcc,xyz"],
            ["account", "remove", "999"],
            ["template", "show", "nope"],
            ["render", "001565aabbcc"],
        ]
        for arguments in cases {
            let result = try await cli.run(arguments)
            #expect(result.status != 0, "\(arguments)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(arguments): \(result.stderr)")
            #expect(lines.first?.hasPrefix("Error: ") == true, "\(arguments): \(result.stderr)")
        }
        #expect(try await cli.run(["device", "list", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]")
        #expect(try await cli.run(["settings", "show"]).stdout.contains("http-port            8480"))
    }

    @Test func settingsShowPrintsEverySetting() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try await cli.run(["settings", "set", "phonebook", "on"]).status == 0)
        let lines = try await cli.run(["settings", "show"]).stdout.split(separator: "\n")
        for key in SettingKey.allCases {
            #expect(lines.contains { $0.hasPrefix("\(key.rawValue) ") || $0 == "\(key.rawValue):" }, "settings show does not print \(key.rawValue)")
        }
        #expect(lines.contains { $0.hasPrefix("phonebook ") && $0.hasSuffix(" on") })
    }

    @Test func brokenAdditionalParametersAreReportedWithTheLineNumber() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let file = cli.directory.appendingPathComponent("params.ini")
        try "[yealink]\nfeatures.headset_prior = 1\nthis line has no equals\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try await cli.run(["settings", "set", "additional-params", "@\(file.path)"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("line 3"))
        #expect(try await cli.run(["settings", "show"]).stdout.contains("(none)"))
    }

    @Test func passwordsNeverComeFromArguments() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try await cli.run(["account", "add", "204", "--password", "secret"]).status != 0)
        #expect(try await cli.run(["account", "add", "204", "--password-file", "-"], stdin: "fromstdin\n").status == 0)
        #expect(try await cli.run(["account", "list", "--show-secrets"]).stdout.contains("fromstdin"))
        #expect(try await cli.run(["account", "add", "205", "--generate-password"]).status == 0)
    }

    @Test func serveStopsCleanlyAndPicksUpChangesFromTheCLI() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.run(["account", "add", "204", "--password-env", "P"], environment: ["P": "first-password"])
        try await cli.run(["device", "add", "001565aabbcc", "--extension", "204"])
        let port = freePort(in: 10000..<32000)
        let serve = Process()
        serve.executableURL = CLI.executable
        serve.arguments = [
            "serve", "--db", cli.database, "--bind", "127.0.0.1", "--http-port", String(port), "--agi", "127.0.0.1:0", "--admin", "127.0.0.1:0",
            "--no-pnp",
        ]
        let log = Pipe()
        serve.standardError = log
        serve.standardOutput = Pipe()
        try serve.run()
        defer { if serve.isRunning { serve.terminate() } }
        func fetch() throws -> String {
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-s", "--max-time", "2", "http://127.0.0.1:\(port)/001565aabbcc.cfg"]
            let out = Pipe()
            curl.standardOutput = out
            try curl.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            curl.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        var body = ""
        for _ in 0..<100 where !body.contains("first-password") {
            try await Task.sleep(for: .milliseconds(100))
            body = try fetch()
        }
        #expect(body.contains("account.1.password = first-password"))
        try await cli.run(["account", "add", "204", "--password-env", "P"], environment: ["P": "second-password"])
        let changed = ContinuousClock.now
        while ContinuousClock.now - changed < .seconds(1), !body.contains("second-password") {
            try await Task.sleep(for: .milliseconds(50))
            body = try fetch()
        }
        #expect(body.contains("account.1.password = second-password"), "not served within one second")

        kill(serve.processIdentifier, SIGTERM)
        serve.waitUntilExit()
        #expect(serve.terminationStatus == 0)
        let output = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(output.contains("autoprovision stopped"))
        #expect(!output.contains("first-password") && !output.contains("second-password"), "a password reached the log")
    }

    @Test func asteriskConfMatchesTheStore() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try await cli.run(["settings", "set", "extension-template", "*77*1000"]).status == 0)
        let secret = try #require(
            try await cli.run(["settings", "show", "--show-secrets"]).stdout.split(separator: "\n")
                .first { $0.hasPrefix("guest-secret") }?.split(separator: " ").last.map(String.init))
        let output = cli.directory.appendingPathComponent("asterisk").path
        let result = try await cli.run(["asterisk-conf", "--output", output, "--agi", "127.0.0.1:4600"])
        #expect(result.status == 0, "\(result.stderr)")
        let extensions = try String(contentsOfFile: output + "/extensions.conf", encoding: .utf8)
        let pjsip = try String(contentsOfFile: output + "/pjsip.conf", encoding: .utf8)
        #expect(extensions.contains("exten => _*77*XXXX,1,"))
        #expect(extensions.contains("AGI(agi://127.0.0.1:4600/bind,${EXTEN:4},"))
        #expect(pjsip.contains("\npassword=\(secret)\n"))
        #expect(pjsip.contains("\nusername=guest\n"))
        let attributes = try FileManager.default.attributesOfItem(atPath: output + "/pjsip.conf")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        // Printed without --output, the secret is masked.
        let printed = try await cli.run(["asterisk-conf"])
        #expect(printed.stdout.contains("password=********"))
        #expect(!printed.stdout.contains(secret))
    }

    @Test func deviceKeysAddListRemoveAndHints() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try await cli.run(["device", "add", "00:15:65:aa:bb:cc"]).status == 0)
        #expect(try await cli.run(["device", "keys", "001565aabbcc", "--add", "201", "--label", "Reception"]).status == 0)
        #expect(try await cli.run(["device", "keys", "001565aabbcc", "--add", "*97", "--type", "speed"]).status == 0)
        #expect(try await cli.run(["device", "keys", "001565aabbcc", "--add", "202"]).status == 0)
        #expect(try await cli.run(["device", "keys", "001565aabbcc", "--remove", "3"]).status == 0)
        let listed = try await cli.run(["device", "keys", "001565aabbcc", "--list"])
        #expect(listed.status == 0)
        let rows = listed.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(rows.map { Array($0.prefix(3)) } == [["1", "blf", "201"], ["2", "speed", "*97"]])
        // Bad input: a clear error, nothing written.
        let bad = try await cli.run(["device", "keys", "001565aabbcc", "--add", "20 1"])
        #expect(bad.status != 0 && bad.stderr.contains("key 3"))
        let badType = try await cli.run(["device", "keys", "001565aabbcc", "--add", "203", "--type", "park"])
        #expect(badType.status != 0)
        let unknown = try await cli.run(["device", "keys", "001565000000", "--add", "203"])
        #expect(unknown.status != 0 && unknown.stderr.contains("no device"))
        #expect(try await cli.run(["device", "keys", "001565aabbcc"]).stdout.split(separator: "\n").count == 3)
        // The rendered file has the keys; asterisk-conf has a hint for the BLF one only.
        let rendered = try await cli.run(["render", "001565aabbcc"])
        #expect(rendered.stdout.contains("linekey.2.value = 201") && rendered.stdout.contains("linekey.3.type = 13"))
        let conf = try await cli.run(["asterisk-conf"]).stdout
        #expect(conf.contains("exten => 201,hint,PJSIP/201"))
        #expect(!conf.contains("exten => *97,hint"))
    }

    /// An extension the credential source does not know is refused, as the admin API refuses it; when the
    /// source cannot answer yet, the binding is kept with a warning and the phone waits.
    @Test func unknownExtensionsAreRefusedUnlessTheSourceCannotAnswer() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let unchecked = try await cli.run(["device", "add", "001565000101", "--extension", "999"])
        #expect(unchecked.status == 0)
        #expect(unchecked.stderr.contains("extension 999 cannot be checked yet"))
        #expect(try await cli.run(["account", "add", "201", "--generate-password"]).status == 0)
        let typo = try await cli.run(["device", "bind", "001565000101", "2001"])
        #expect(typo.status != 0)
        #expect(typo.stderr == "Error: extension 2001 has no local account (account add 2001 first); --force binds it anyway\n")
        let refusedAdd = try await cli.run(["device", "add", "001565000102", "--extension", "2001"])
        #expect(refusedAdd.status != 0)
        #expect(try await cli.run(["device", "list"]).stdout.contains("00:15:65:00:01:02") == false, "a refused add writes nothing")
        let known = try await cli.run(["device", "bind", "001565000101", "201"])
        #expect(known.status == 0)
        #expect(known.stderr.isEmpty)
        #expect(try await cli.run(["device", "bind", "001565000101", "2001", "--line", "2", "--force"]).status == 0)
    }

    /// The HTTP listener is bound once: a new http-port while serve runs must not send phones to a port
    /// nobody listens on. Files keep naming the bound port, and the log says a restart is needed.
    @Test func httpPortChangedWhileServingKeepsFilesOnTheBoundPort() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let port = freePort(in: 10000..<32000)
        for (key, value) in [("http-port", String(port)), ("phonebook", "on"), ("pbx-host", "127.0.0.1")] {
            #expect(try await cli.run(["settings", "set", key, value]).status == 0)
        }
        try await cli.run(["device", "add", "001565aabbcc"])
        let log = cli.directory.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let serve = Process()
        serve.executableURL = CLI.executable
        serve.arguments = ["serve", "--db", cli.database, "--bind", "127.0.0.1", "--agi", "off", "--admin", "off", "--no-pnp"]
        serve.standardError = try FileHandle(forWritingTo: log)
        serve.standardOutput = FileHandle.nullDevice
        try serve.run()
        defer { if serve.isRunning { serve.terminate() } }
        let url = "http://127.0.0.1:\(port)/001565aabbcc.cfg"
        var body = ""
        for _ in 0..<100 where !body.contains("remote_phonebook.data.1.url") {
            try await Task.sleep(for: .milliseconds(100))
            body = (try? await Curl.fetch(url, ["--max-time", "2"]))?.body ?? ""
        }
        #expect(body.contains("remote_phonebook.data.1.url = http://127.0.0.1:\(port)/"))
        #expect(try await cli.run(["settings", "set", "http-port", String(port + 1)]).status == 0)
        try await Task.sleep(for: .milliseconds(1500))
        let after = try await Curl.fetch(url, ["--max-time", "2"])
        #expect(after.status == 200)
        #expect(after.body.contains("remote_phonebook.data.1.url = http://127.0.0.1:\(port)/"), "files must keep naming the port that answers")
        #expect(!after.body.contains(":\(port + 1)/"))
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(text.contains("http-port is \(port + 1) but the HTTP server listens on \(port): files name \(port) until serve is restarted"))
    }
}
