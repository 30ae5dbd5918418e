import Foundation
import TestCLI
import TestHTTP
import TestNetwork
import Testing

/// `device url`: a phone's private provisioning URL, served by a running daemon over HTTP and TFTP.
@Suite struct DeviceURLCLITests {
    @Test func theTokenURLOpensItsPhonesFileAndARotatedOneIsDeadWithinASecond() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let port = freePort(in: 10000..<16000, udp: true, also: [6000])
        let tftpPort = port + 6000
        for (key, value) in [("pbx-host", "127.0.0.1"), ("http-port", String(port)), ("tftp", "on")] {
            #expect(try await cli.run(["settings", "set", key, value]).status == 0)
        }
        #expect(try await cli.run(["device", "add", "001565aabbcc"]).status == 0)
        #expect(try await cli.run(["device", "add", "001565ddeeff"]).status == 0)
        let printed = try await cli.run(["device", "url", "00:15:65:AA:BB:CC"])
        #expect(printed.status == 0, "\(printed.stderr)")
        let url = printed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let prefix = "http://127.0.0.1:\(port)/p/"
        #expect(url.hasPrefix(prefix) && url.hasSuffix("/") && url.count == prefix.count + 23, "\(url)")
        #expect(try await cli.run(["device", "url", "00:15:65:AA:BB:CC"]).stdout == printed.stdout, "the URL is stable until rotated")
        let unknown = try await cli.run(["device", "url", "001565000000"])
        #expect(unknown.status != 0 && unknown.stderr.contains("00:15:65:00:00:00"))
        let token = String(url.dropFirst(prefix.count).dropLast())

        let serve = try cli.serve(["--bind", "127.0.0.1", "--tftp", "127.0.0.1:\(tftpPort)"])
        defer { if serve.isRunning { serve.terminate() } }

        var own = try? await Curl.fetch(url + "001565aabbcc.cfg", ["--max-time", "2"])
        for _ in 0..<100 where own?.status != 200 {
            try await Task.sleep(for: .milliseconds(100))
            own = try? await Curl.fetch(url + "001565aabbcc.cfg", ["--max-time", "2"])
        }
        #expect(own?.status == 200 && own?.body.contains("account.1.user_name = guest") == true, "\(String(describing: own))")
        #expect(try await Curl.fetch(url + "001565ddeeff.cfg").status == 403, "another phone's file through this phone's token")
        #expect(try await Curl.fetch(prefix + "AAAAAAAAAAAAAAAAAAAAAA/001565aabbcc.cfg").status == 403, "an unknown token")
        #expect(try await Curl.fetch(prefix + "short/001565aabbcc.cfg").status == 404, "a malformed token")
        #expect(try await Curl.fetch(url).status == 404, "no file name")

        // TFTP takes the same path.
        let tftp = try await Curl.fetch("tftp://127.0.0.1:\(tftpPort)/p/\(token)/001565aabbcc.cfg", ["--max-time", "5"])
        #expect(tftp.body.contains("account.1.user_name = guest"), "TFTP through the token path: \(tftp)")

        let rotated = try await cli.run(["device", "url", "001565aabbcc", "--rotate"])
        let changed = ContinuousClock.now
        let newURL = rotated.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(rotated.status == 0 && newURL.hasPrefix(prefix) && newURL != url)
        var old = try await Curl.fetch(url + "001565aabbcc.cfg")
        while old.status == 200, ContinuousClock.now - changed < .seconds(1) {
            try await Task.sleep(for: .milliseconds(50))
            old = try await Curl.fetch(url + "001565aabbcc.cfg")
        }
        #expect(old.status == 403, "the old token still opens the file a second after --rotate")
        #expect(try await Curl.fetch(newURL + "001565aabbcc.cfg").status == 200)
    }

    @Test func xForwardedForCountsOnlyFromATrustedProxy() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let port = freePort(in: 10000..<32000)
        for (key, value) in [("pbx-host", "127.0.0.1"), ("http-port", String(port))] {
            #expect(try await cli.run(["settings", "set", key, value]).status == 0)
        }
        #expect(try await cli.run(["device", "add", "001565aabbcc"]).status == 0)
        let serve = try cli.serve(["--bind", "127.0.0.1"])
        defer { if serve.isRunning { serve.terminate() } }
        let url = "http://127.0.0.1:\(port)/001565aabbcc.cfg"
        let spoofed = ["-H", "X-Forwarded-For: 127.0.0.1, 203.0.113.9"]
        var first = try? await Curl.fetch(url, spoofed)
        for _ in 0..<100 where first?.status != 200 {
            try await Task.sleep(for: .milliseconds(100))
            first = try? await Curl.fetch(url, spoofed)
        }
        #expect(first?.status == 200, "from this host, a forwarded-for header from no trusted proxy is ignored")
        // This host as the trusted proxy: the client it names is a stranger, and is refused.
        #expect(try await cli.run(["settings", "set", "trusted-proxies", "127.0.0.1/32"]).status == 0)
        var proxied = try await Curl.fetch(url, spoofed)
        for _ in 0..<50 where proxied.status == 200 {
            try await Task.sleep(for: .milliseconds(100))
            proxied = try await Curl.fetch(url, spoofed)
        }
        #expect(proxied.status == 403)
        #expect(try await Curl.fetch(url, ["-H", "X-Forwarded-For: not-an-address"]).status == 200, "an unreadable header leaves the proxy")
        #expect(try await Curl.fetch(url).status == 200)
    }
}
