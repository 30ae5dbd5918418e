import Foundation
import TestCLI
import TestHTTP
import TestNetwork
import Testing

/// `device set` and `firmware set`: changes to what exists, through the real binary.
@Suite struct SetCommandCLITests {
    /// The Fanvil User-Agent of the vectors, a model with a space in it.
    static let fanvilAgent = "Fanvil X6U Pro 0.0.10 0c383e2cd782"

    /// A firmware file of `bytes` bytes in the test's directory.
    func file(_ cli: CLI, _ name: String, bytes: Int = 100) throws -> String {
        let url = cli.directory.appendingPathComponent(name)
        try Data(repeating: 7, count: bytes).write(to: url)
        return url.path
    }

    @Test func bothReachTheFilesARunningDaemonServes() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let port = freePort(in: 10000..<32000)
        for (key, value) in [("pbx-host", "127.0.0.1"), ("http-port", String(port))] {
            #expect(try await cli.run(["settings", "set", key, value]).status == 0)
        }
        let template = cli.directory.appendingPathComponent("office.cfg")
        try "#!version:1.0.0.1\nfrom = office\naccount.1.user_name = {SIP_NUM}\n".write(to: template, atomically: true, encoding: .utf8)
        #expect(try await cli.run(["template", "set", "office", "--vendor", "yealink", "--file", template.path]).status == 0)
        #expect(try await cli.run(["device", "add", "001565aabbcc"]).status == 0)
        #expect(try await cli.run(["device", "add", "0c383e2cd782"]).status == 0)
        #expect(try await cli.run(["firmware", "add", try file(cli, "all.z"), "--vendor", "fanvil"]).status == 0)
        #expect(try await cli.run(["firmware", "add", try file(cli, "pro.z"), "--vendor", "fanvil", "--model", "X4"]).status == 0)

        let serve = try cli.serve(["--bind", "127.0.0.1"])
        defer { if serve.isRunning { serve.terminate() } }
        let yealink = "http://127.0.0.1:\(port)/001565aabbcc.cfg"
        let fanvil = "http://127.0.0.1:\(port)/0c383e2cd782.cfg"
        /// Fetches `url` until its body satisfies `done` or `seconds` pass; the last body.
        func poll(_ url: String, userAgent: String? = nil, seconds: Double, until done: (String) -> Bool) async throws -> String {
            let start = ContinuousClock.now
            var body = ""
            repeat {
                let response =
                    if let userAgent {
                        try? await Curl.fetch(url, ["--max-time", "2"], userAgent: userAgent)
                    } else {
                        try? await Curl.fetch(url, ["--max-time", "2"])
                    }
                body = response?.status == 200 ? response?.body ?? "" : ""
                if done(body) { return body }
                try await Task.sleep(for: .milliseconds(100))
            } while ContinuousClock.now - start < .seconds(seconds)
            return body
        }
        let builtIn = try await poll(yealink, seconds: 10) { $0.contains("account.1.user_name = guest") }
        #expect(!builtIn.contains("from = office"), "the phone has no template yet")

        // The template: printed, and served. (The one-second promise is the serve test's; this machine may be
        // busy with other suites' daemons, so the change only has to arrive.)
        let set = try await cli.run(["device", "set", "00:15:65:AA:BB:CC", "--template", "office"])
        #expect(set.status == 0 && set.stderr.isEmpty, "\(set.stderr)")
        #expect(set.stdout == "device 00:15:65:aa:bb:cc: template (none) -> office\n")
        let templated = try await poll(yealink, seconds: 20) { $0.contains("from = office") }
        #expect(templated.hasPrefix("#!version:1.0.0.1\nfrom = office\naccount.1.user_name = guest\n"), "not served: \(templated)")

        // The Fanvil names the vendor's row until its model is known and a row is for that model.
        let before = try await poll(fanvil, userAgent: Self.fanvilAgent, seconds: 20) { $0.contains("/firmware/1/all.z") }
        #expect(before.contains("http://127.0.0.1:\(port)/firmware/1/all.z"))
        let changed = try await cli.run(["firmware", "set", "2", "--model", "X6U Pro", "--version", "0.0.10", "--notes", "lab"])
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stdout == "firmware 2: model X4 -> X6U Pro, version (none) -> 0.0.10, notes (none) -> lab\n")
        // The daemon records the model the phone reports (a second at most), then re-renders (a second at most); a busy machine gets longer.
        let after = try await poll(fanvil, userAgent: Self.fanvilAgent, seconds: 20) { $0.contains("/firmware/2/pro.z") }
        #expect(after.contains("http://127.0.0.1:\(port)/firmware/2/pro.z"), "\(after)")
        #expect(!after.contains("/firmware/1/all.z"))
        let devices = try JSONSerialization.jsonObject(with: Data(try await cli.run(["device", "list", "--json"]).stdout.utf8)) as? [[String: Any]]
        #expect(devices?.first { $0["mac"] as? String == "0c:38:3e:2c:d7:82" }?["model"] as? String == "X6U Pro")

        kill(serve.processIdentifier, SIGTERM)
        serve.waitUntilExit()
        #expect(serve.terminationStatus == 0)
    }

    @Test func deviceSetRefusesWhatTheAdminPageRefusesAndWritesNothing() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let body = cli.directory.appendingPathComponent("t.cfg")
        try "x = 1\n".write(to: body, atomically: true, encoding: .utf8)
        #expect(try await cli.run(["template", "set", "office", "--vendor", "yealink", "--file", body.path]).status == 0)
        #expect(try await cli.run(["template", "set", "snom-desk", "--vendor", "snom", "--file", body.path]).status == 0)
        #expect(try await cli.run(["device", "add", "001565aabbcc", "--template", "office"]).status == 0)
        let refusals: [([String], String)] = [
            (["001565000000", "--template", "office"], "no device with MAC 00:15:65:00:00:00"),
            (["001565aabbcc", "--template", "nope"], "no template named 'nope'"),
            (["001565aabbcc", "--template", "snom-desk"], "template 'snom-desk' is for Snom, but the device is a Yealink"),
            (["001565aabbcc", "--vendor", "snom"], "device 00:15:65:aa:bb:cc uses the Yealink template 'office'; change the template first"),
            (
                ["001565aabbcc", "--model", "T46S\tx"],
                "model 'T46S?x' must be 1 to 64 letters, digits, spaces, '-', '_', '.' or '+', starting with a letter or digit"
            ),
            (["not-a-mac", "--model", "T46S"], "'not-a-mac' is not a MAC address: expected 12 hex digits, optionally separated by ':', '-' or '.'"),
        ]
        for (arguments, message) in refusals {
            let result = try await cli.run(["device", "set"] + arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr == "Error: \(message)\n", "\(arguments)")
        }
        // Usage errors: exit 64 and the usage.
        for (arguments, message) in [
            (["001565aabbcc", "--template", "office", "--no-template"], "give --template or --no-template, not both"),
            (["001565aabbcc"], "give at least one of --template, --no-template, --vendor or --model"),
            (["001565aabbcc", "--template", ""], "--template needs a name; --no-template drops the template"),
        ] {
            let result = try await cli.run(["device", "set"] + arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr.hasPrefix("Error: \(message)\n") && result.stderr.contains("Usage: autoprovision device set"), "\(result.stderr)")
        }
        func listed() async throws -> [String: Any] {
            let json = try await cli.run(["device", "list", "--json"]).stdout
            return try #require((try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])?.first)
        }
        let untouched = try await listed()
        #expect(untouched["template"] as? String == "office" && untouched["model"] == nil && untouched["vendor"] as? String == "yealink")

        // Vendor and template in one go, a model with a space; then back, and a repeat that changes nothing.
        let moved = try await cli.run(["device", "set", "001565aabbcc", "--vendor", "snom", "--template", "SNOM-DESK", "--model", " D785 "])
        #expect(
            moved.stdout == "device 00:15:65:aa:bb:cc: vendor yealink -> snom, model (none) -> D785, template office -> snom-desk\n",
            "\(moved.stderr)")
        let back = try await cli.run(["device", "set", "001565aabbcc", "--vendor", "yealink", "--no-template", "--model", "X6U Pro"])
        #expect(
            back.stdout == "device 00:15:65:aa:bb:cc: vendor snom -> yealink, model D785 -> X6U Pro, template snom-desk -> (none)\n", "\(back.stderr)"
        )
        #expect(try await cli.run(["device", "set", "001565aabbcc", "--model", "X6U Pro"]).stdout == "device 00:15:65:aa:bb:cc unchanged\n")
        let last = try await listed()
        #expect(last["template"] == nil && last["model"] as? String == "X6U Pro" && last["vendor"] as? String == "yealink")
    }

    @Test func firmwareSetRefusesBadInputAndWritesNothing() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try await cli.run(["firmware", "add", try file(cli, "all.z"), "--vendor", "fanvil", "--version", "1"]).status == 0)
        #expect(try await cli.run(["firmware", "add", try file(cli, "x4.z"), "--vendor", "fanvil", "--model", "X4"]).status == 0)
        let changed = try await cli.run(["firmware", "set", "1", "--model", "x6u-pro", "--version", "2", "--notes", "lab phones"])
        #expect(changed.stdout == "firmware 1: model (all) -> x6u-pro, version 1 -> 2, notes (none) -> lab phones\n", "\(changed.stderr)")
        let listing = try await cli.run(["firmware", "list"]).stdout
        let refusals: [([String], String)] = [
            (["firmware", "set", "99", "--version", "3"], "no firmware with id 99"),
            (["firmware", "set", "1", "--model", "x4"], "a Fanvil firmware for x4 exists already; remove it or replace its file"),
            (
                ["firmware", "set", "2", "--model", "X6U Pro", "--version", "9"],
                "a Fanvil firmware for X6U Pro exists already (id 1, model 'x6u-pro'); remove it or replace its file"
            ),
            (
                ["firmware", "set", "1", "--model", "X6U/Pro"],
                "model 'X6U/Pro' must be 1 to 64 letters, digits, spaces, '-', '_', '.' or '+', starting with a letter or digit"
            ),
            (["firmware", "set", "1", "--notes", "two\nlines"], "notes must be at most 256 bytes on one line"),
            (
                ["firmware", "add", try file(cli, "pro.z"), "--vendor", "fanvil", "--model", "Fanvil X6U Pro"],
                "a Fanvil firmware for Fanvil X6U Pro exists already (id 1, model 'x6u-pro'); remove it or replace its file"
            ),
        ]
        for (arguments, message) in refusals {
            let result = try await cli.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr == "Error: \(message)\n", "\(arguments)")
        }
        let usage = try await cli.run(["firmware", "set", "1"])
        #expect(usage.status == 64 && usage.stderr.hasPrefix("Error: give at least one of --version, --notes or --model\n"))
        #expect(try await cli.run(["firmware", "list"]).stdout == listing, "a refused change wrote something")
        #expect(listing.contains("fanvil  x6u-pro  2"))
        // Back to every model of the vendor.
        #expect(try await cli.run(["firmware", "set", "1", "--model", ""]).stdout == "firmware 1: model x6u-pro -> (all)\n")
    }
}
