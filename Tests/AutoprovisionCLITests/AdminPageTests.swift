import Foundation
import TestCLI
import TestHTTP
import TestNetwork
import Testing

/// The admin page in a real headless Chromium, driven by selenium, against a running daemon
/// whose phone is discovered over real multicast from a network namespace.
///
/// Screenshots of every tab go to `artifacts/admin-screenshots/`.
@Suite(.serialized) struct AdminPageTests {
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    static let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Why the test cannot run here, or nil.
    static let missing: String? = {
        if let reason = PhoneNamespace.unavailableReason { return reason }
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: tool) {
            return "needs \(tool) (apt-get install chromium chromium-driver)"
        }
        guard let python else { return "needs python3" }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: python)
        check.arguments = ["-c", "import selenium"]
        check.standardError = Pipe()
        guard (try? check.run()) != nil else { return "cannot run python3" }
        check.waitUntilExit()
        return check.terminationStatus == 0 ? nil : "needs the selenium Python package (pip install selenium)"
    }()

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Plays the phone: the SUBSCRIBE of the vector, byte for byte with CRLF line ends, to 224.0.1.75:5060.
    static let phoneScript = """
        import socket, sys
        phone_ip, path = sys.argv[1], sys.argv[2]
        lines = [l.rstrip('\\n') for l in open(path) if not l.startswith('#')]
        while lines and lines[-1] == '':
            lines.pop()
        wire = ('\\r\\n'.join(lines) + '\\r\\n\\r\\n').encode()
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((phone_ip, 5059))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(phone_ip))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
        s.sendto(wire, ('224.0.1.75', 5060))
        s.settimeout(5)
        print(s.recvfrom(65535)[0].decode().split('\\r\\n')[0])
        """

    @Test(.enabled(if: isCI || missing == nil, "skipped: \(missing ?? ""); CI installs everything and runs it"))
    func adminPageWalkThroughInChromium() async throws {
        if let missing = Self.missing {
            Issue.record("the browser test must run in CI: \(missing)")
            return
        }
        // The daemon's PnP listener takes UDP 5060 while the test runs.
        try await SIPPortLock.shared.run { try await walkThrough() }
    }

    func walkThrough() async throws {
        try await PhoneNamespace.with(phoneMAC: "00:15:65:f4:f9:e1", network: 236) { namespace in
            // The new veth's addresses settle (IPv6 link-local, routes) for a moment after it comes up, and
            // Chromium aborts whatever is loading when it sees that (ERR_NETWORK_CHANGED): let it settle first.
            try await Task.sleep(for: .seconds(3))
            let cli = try CLI()
            defer { cli.cleanUp() }
            let password = cli.directory.appendingPathComponent("password")
            try Data("Browser-204-Secret".utf8).write(to: password)
            #expect(try await cli.run(["account", "add", "204", "--name", "Irina Smirnova", "--password-file", password.path]).status == 0)
            #expect(try await cli.run(["settings", "set", "pbx-host", namespace.hostIP]).status == 0)
            // A hostile name the page shows in Accounts and Phone book: it must stay text.
            #expect(try await cli.run(["account", "add", "205", "--name", #"<svg onload="window.__xss=2">"#, "--generate-password"]).status == 0)
            let token = try await cli.run(["admin", "token"])
            #expect(token.status == 0 && token.stdout.count == 65)
            let tokenFile = cli.directory.appendingPathComponent("admin.token").path
            let attributes = try FileManager.default.attributesOfItem(atPath: tokenFile)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)

            let httpPort = freePort(in: 10000..<21000, also: [10000])
            let adminPort = httpPort + 10000
            let serve = Process()
            serve.executableURL = CLI.executable
            serve.arguments = [
                "serve", "--db", cli.database, "--bind", "127.0.0.1", "--http-port", String(httpPort), "--admin", "127.0.0.1:\(adminPort)",
                "--agi", "off", "--pnp-interface", namespace.hostInterface,
            ]
            let log = cli.directory.appendingPathComponent("daemon.log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            serve.standardError = try FileHandle(forWritingTo: log)
            serve.standardOutput = FileHandle.nullDevice
            try serve.run()
            defer {
                if serve.isRunning {
                    serve.terminate()
                    serve.waitUntilExit()
                }
            }
            let admin = "http://127.0.0.1:\(adminPort)"
            var up = false
            for _ in 0..<100 where !up {
                up = (try? await Curl.fetch(admin + "/"))?.status == 200
                if !up { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(up, "the admin listener did not come up: \(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self))")

            let phone = cli.directory.appendingPathComponent("phone.py")
            try Data(Self.phoneScript.utf8).write(to: phone)
            let vector = Self.root.appendingPathComponent("Tests/DiscoveryTests/Vectors/sip_pnp_subscribe_yealink_w52p_ngrep.txt").path
            let discover = "\(PhoneNamespace.ipCommand!) netns exec \(namespace.name) \(Self.python!) \(phone.path) \(namespace.phoneIP) \(vector)"
            let screenshots = Self.root.appendingPathComponent("artifacts/admin-screenshots")
            try? FileManager.default.removeItem(at: screenshots)
            try FileManager.default.createDirectory(at: screenshots, withIntermediateDirectories: true)

            do {
                try await PhoneNamespace.run(
                    Self.python!,
                    [
                        Self.root.appendingPathComponent("Tests/Browser/admin_ui_test.py").path, "--admin", admin, "--provisioning",
                        "http://127.0.0.1:\(httpPort)", "--token-file", tokenFile, "--screenshots", screenshots.path, "--mac", "00:15:65:f4:f9:e1",
                        "--discover-command", discover, "--extension", "204",
                    ])
            } catch {
                Issue.record(
                    "the browser walk-through failed:\n\(error)\n--- daemon log ---\n\(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self))"
                )
            }
            let shots = try FileManager.default.contentsOfDirectory(atPath: screenshots.path).filter { $0.hasSuffix(".png") }
            #expect(shots.count >= 6, "screenshots: \(shots.sorted())")

            // The CLI sees what the page did, and the daemon log never shows the password.
            let devices = try await cli.run(["device", "list"]).stdout
            #expect(devices.contains("00:15:65:f4:f9:e1") && devices.contains("1:204"))

            // A CLI change shows in the API, an API change in the CLI, and phones get either within one second.
            let bearer = ["-H", "Authorization: Bearer \(token.stdout.trimmingCharacters(in: .whitespacesAndNewlines))"]
            let config = "http://127.0.0.1:\(httpPort)/001565f4f9e1.cfg"
            func servedWithinOneSecond(_ text: String) async throws -> Bool {
                let start = ContinuousClock.now
                while ContinuousClock.now - start < .seconds(1) {
                    if try await Curl.fetch(config).body.contains(text) { return true }
                    try await Task.sleep(for: .milliseconds(50))
                }
                return false
            }
            #expect(try await cli.run(["device", "keys", "001565f4f9e1", "--add", "301", "--label", "Desk"]).status == 0)
            #expect(try await servedWithinOneSecond("value = 301\n"), "a CLI change was not served within one second")
            #expect(try await Curl.fetch(admin + "/api/devices/001565f4f9e1/keys", bearer).body.contains(#""value":"301""#))
            let put = try await Curl.fetch(
                admin + "/api/devices/001565f4f9e1/keys", bearer + ["-X", "PUT", "--data-binary", #"[{"type":"speed","value":"302","label":"Lab"}]"#]
            )
            #expect(put.status == 200)
            #expect(try await servedWithinOneSecond("value = 302\n"), "an API change was not served within one second")
            #expect(try await cli.run(["device", "keys", "001565f4f9e1"]).stdout.contains("speed  302"))
            serve.terminate()
            serve.waitUntilExit()
            #expect(!String(decoding: try Data(contentsOf: log), as: UTF8.self).contains("Browser-204-Secret"))
        }
    }
}
