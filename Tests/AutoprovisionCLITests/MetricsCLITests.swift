import Foundation
import ScriptedAGIClient
import ScriptedAMIServer
import TestCLI
import TestHTTP
import TestNetwork
import Testing

/// `GET /metrics` on the admin listener of the real daemon, after traffic the test makes and counts itself.
@Suite struct MetricsCLITests {
    /// The sample lines of a scrape, by series (name and labels).
    static func samples(_ text: String) -> [String: String] {
        var samples: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            samples[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        return samples
    }

    /// Polls `check` for up to `seconds`.
    func eventually(_ seconds: Double = 30, _ check: () async throws -> Bool) async rethrows -> Bool {
        let start = ContinuousClock.now
        repeat {
            if try await check() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        } while ContinuousClock.now - start < .seconds(seconds)
        return try await check()
    }

    @Test func countsKnownTrafficExactly() async throws {
        let ami = try await ScriptedAMIServer.start { $0.endpoints = AMICLITests.endpoints }
        defer { Task { await ami.stop() } }
        let cli = try CLI()
        defer { cli.cleanUp() }
        let port = freePort(in: 10000..<14000, udp: true, also: [4000, 8000, 12000])
        let (tftpPort, adminPort, agiPort) = (port + 4000, port + 8000, port + 12000)
        for (key, value) in [("pbx-host", "127.0.0.1"), ("http-port", String(port)), ("tftp", "on")] {
            #expect(try await cli.run(["settings", "set", key, value]).status == 0)
        }
        // Two phones, one bound; the snom one is never fetched.
        #expect(try await cli.run(["device", "add", "001565aabbcc"]).status == 0)
        #expect(try await cli.run(["device", "add", "000413aabbcc", "--extension", "201"]).status == 0)
        let image = cli.directory.appendingPathComponent("T46S.rom")
        try Data(repeating: 0x5a, count: 3000).write(to: image)
        let added = try await cli.run(["firmware", "add", image.path, "--vendor", "yealink", "--model", "T46S"])
        #expect(added.status == 0, "\(added.stderr)")
        let firmwarePath = try #require(added.stdout.split(separator: " ").first { $0.hasPrefix("/firmware/") }.map(String.init))

        let log = cli.directory.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let serve = Process()
        serve.executableURL = CLI.executable
        serve.arguments = [
            "serve", "--db", cli.database, "--bind", "127.0.0.1", "--tftp", "127.0.0.1:\(tftpPort)", "--agi", "127.0.0.1:\(agiPort)",
            "--admin", "127.0.0.1:\(adminPort)", "--no-pnp", "--ami", "127.0.0.1:\(ami.port)",
        ]
        serve.environment = ProcessInfo.processInfo.environment.merging(["AUTOPROVISION_AMI_SECRET": "amisecret"]) { $1 }
        serve.standardError = try FileHandle(forWritingTo: log)
        serve.standardOutput = FileHandle.nullDevice
        try serve.run()
        defer { if serve.isRunning { serve.terminate() } }
        let daemonLog = { String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self) }
        let metricsURL = "http://127.0.0.1:\(adminPort)/metrics"
        let scrape = { try await Curl.fetch(metricsURL, ["--max-time", "2"]) }

        // Ready: `/` and scrapes count nothing; AMI logged in and synced once.
        #expect(try await eventually { (try? await Curl.fetch("http://127.0.0.1:\(port)/", ["--max-time", "2"]))?.status == 200 }, "\(daemonLog())")
        #expect(
            try await eventually {
                let samples = Self.samples((try? await scrape())?.body ?? "")
                return samples["autoprovision_ami_connected"] == "1.0" && samples["autoprovision_ami_sync_seconds_count"] != nil
            }, "\(daemonLog())")

        // HTTP: three fetches of the Yealink's file, two of a Snom nobody added, one path that climbs out, one firmware download.
        for _ in 0..<3 { #expect(try await Curl.fetch("http://127.0.0.1:\(port)/001565aabbcc.cfg").status == 200) }
        for _ in 0..<2 { #expect(try await Curl.fetch("http://127.0.0.1:\(port)/snomD785-000413DDEEFF.htm").status == 404) }
        #expect(try await Curl.fetch("http://127.0.0.1:\(port)/../001565aabbcc.cfg", ["--path-as-is"]).status == 400)
        let firmware = try await Curl.raw(["-o", "/dev/null", "-w", "%{http_code} %{size_download}", "http://127.0.0.1:\(port)\(firmwarePath)"])
        #expect(firmware.body == "200 3000")
        // TFTP: the Yealink's file, and a file that is not there.
        let tftp = try await Curl.fetch("tftp://127.0.0.1:\(tftpPort)/001565aabbcc.cfg", ["--max-time", "5"])
        #expect(tftp.body.contains("account.1.user_name = guest"), "\(tftp)")
        let missing = try await Curl.raw(["--max-time", "5", "tftp://127.0.0.1:\(tftpPort)/cfg0c383e000001.xml"])
        #expect(missing.status != 0)
        // AGI: a star-code bind from an address with no neighbour entry.
        let asterisk = FakeAsterisk(variables: ["CHANNEL(pjsip,remote_addr)": "192.0.2.99:5060"])
        let bind = try await asterisk.run(port: agiPort, environment: FakeAsterisk.environment(extension: "*123*201"))
        let bindStatus = try #require(bind.setVariables["PROVISION_STATUS"])

        // Without a token, and not under /api/.
        let response = try await scrape()
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        let text = response.body
        let samples = Self.samples(text)
        let expected = [
            #"autoprovision_config_requests_total{status="200",vendor="yealink"}"#: "3",
            #"autoprovision_config_requests_total{status="404",vendor="snom"}"#: "2",
            #"autoprovision_config_requests_total{status="400",vendor="unknown"}"#: "1",
            #"autoprovision_config_requests_total{status="200",vendor="unknown"}"#: "1",
            "autoprovision_firmware_bytes_total": "3000",
            #"autoprovision_tftp_transfers_total{result="completed"}"#: "1",
            #"autoprovision_tftp_transfers_total{result="not_found"}"#: "1",
            #"autoprovision_tftp_transfers_total{result="refused"}"#: "0",
            #"autoprovision_agi_binds_total{status="\#(bindStatus)"}"#: "1",
            "autoprovision_devices": "2.0",
            "autoprovision_devices_bound": "1.0",
            "autoprovision_banned_addresses": "0.0",
            "autoprovision_ami_connected": "1.0",
            #"autoprovision_guard_refusals_total{reason="banned"}"#: "0",
        ]
        for (series, value) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(samples[series] == value, "\(series)\n\(text)")
        }
        // Nothing else was counted: no other status or vendor, and only the one bind.
        let requests = samples.filter { $0.key.hasPrefix("autoprovision_config_requests_total{") }
        #expect(requests.count == 4, "\(text)")
        #expect(samples.filter { $0.key.hasPrefix("autoprovision_agi_binds_total{") }.values.sorted() == ["0", "0", "0", "0", "1"])
        for name in [
            "autoprovision_config_requests_total", "autoprovision_tftp_transfers_total", "autoprovision_firmware_bytes_total",
            "autoprovision_agi_binds_total", "autoprovision_guard_refusals_total",
        ] {
            #expect(text.contains("\n# TYPE \(name) counter\n"), "\(name)")
            #expect(text.contains("# HELP \(name) "), "\(name)")
        }
        for name in ["autoprovision_devices", "autoprovision_devices_bound", "autoprovision_banned_addresses", "autoprovision_ami_connected"] {
            #expect(text.contains("# TYPE \(name) gauge\n"), "\(name)")
            #expect(text.contains("# HELP \(name) "), "\(name)")
        }
        #expect(text.contains("# TYPE autoprovision_ami_sync_seconds histogram\n"))
        #expect(text.contains(#"autoprovision_ami_sync_seconds_bucket{le="+Inf"} "#))

        // The API still wants its token.
        #expect(try await Curl.fetch("http://127.0.0.1:\(adminPort)/api/status").status == 401)
        let token = try await cli.run(["admin", "token"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await Curl.fetch("http://127.0.0.1:\(adminPort)/api/status", ["-H", "Authorization: Bearer \(token)"]).status == 200)
        // A phone bound meanwhile shows in the gauge at the next scrape.
        #expect(try await cli.run(["device", "bind", "001565aabbcc", "201", "--force"]).status == 0)
        #expect(try await eventually(5) { Self.samples((try? await scrape())?.body ?? "")["autoprovision_devices_bound"] == "2.0" })
    }
}
