import AsyncHTTPClient
import Foundation
import Logging
import Provisioning
import TestHTTP
import TestNetwork
import Testing

@testable import HTTPTFTP

/// External phonebook sources over real HTTP: another instance, and sources that misbehave.
@Suite struct PhonebookSourceFetcherTests {
    /// A small HTTP server that answers 500, HTML, 2 MB, an endless body, or nothing at all, by path.
    static let misbehavingServer = #"""
        import http.server, socketserver, sys, time
        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def do_GET(self):
                if self.path == "/hang":
                    time.sleep(10)
                    return
                if self.path == "/500":
                    self.send_response(500); self.end_headers(); return
                if self.path == "/endless":
                    # No Content-Length: the body goes on until the client hangs up.
                    self.send_response(200); self.end_headers()
                    self.wfile.write(b"<YealinkIPPhoneDirectory>")
                    try:
                        for _ in range(100000): self.wfile.write(b"x" * 65536)
                    except OSError:
                        pass
                    return
                body = b"<html><body>Login</body></html>" if self.path == "/html" else b"<YealinkIPPhoneDirectory>" + b"x" * 2_000_000
                self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
        class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
        s = S(("127.0.0.1", int(sys.argv[1])), H)
        # The test process ignores SIGTERM and the server inherits that, so it ends itself; killing it
        # earlier would cut the requests the fetcher still has open to it.
        import os, threading
        threading.Timer(60, lambda: os._exit(0)).start()
        s.serve_forever()
        """#

    @Test func goodSourcesMergeAndBadOnesAreSkippedWithoutDelayingPhones() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
            Issue.record("python3 is needed for the misbehaving source (CI installs it)")
            return
        }
        // No blocking reads here: the test runs on the shared cooperative pool.
        let badPort = freePort(in: 10000..<32000)
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        python.arguments = ["-c", Self.misbehavingServer, String(badPort)]
        python.standardOutput = FileHandle.nullDevice
        python.standardError = FileHandle.nullDevice
        try python.run()
        defer { python.terminate() }
        for _ in 0..<100 where (try? await Curl.raw(["--max-time", "1", "http://127.0.0.1:\(badPort)/500"]))?.status != 0 {
            try await Task.sleep(for: .milliseconds(50))
        }

        // "Another instance": a second store served by the real HTTP server.
        let remote = try ProvisioningHTTPServerTests().seededStore()
        defer { try? FileManager.default.removeItem(at: remote.1) }
        try remote.0.saveAccount(AccountRecord(extensionNumber: "3001", authUsername: "3001", password: "x", displayName: "Zoe Remote"))
        let (local, directory) = try ProvisioningHTTPServerTests().seededStore()
        defer { try? FileManager.default.removeItem(at: directory) }

        try await ProvisioningHTTPServerTests().withServer(remote.0) { remoteBase in
            try local.addPhonebookSource(url: remoteBase + "/phonebook/yealink.xml", name: "remote")
            for path in ["/500", "/html", "/hang", "/big"] { try local.addPhonebookSource(url: "http://127.0.0.1:\(badPort)\(path)", name: path) }
            let cache = PhonebookCache()
            let catalog = ProvisioningCatalog()
            let fetcher = PhonebookSourceFetcher(store: local, cache: cache, catalog: catalog, logger: Logger(label: "pb"), timeout: 1)
            let builder = SnapshotBuilder(store: local, credentials: LocalAccountCredentialSource(store: local), externalPhonebooks: cache)
            let fetching = Task { await fetcher.fetchAll(client: .shared) }
            // While a source hangs, building and answering take no longer than usual.
            let started = ContinuousClock.now
            let snapshot = try await builder.build(logger: Logger(label: "pb")).0
            guard case .file = snapshot.answer(path: "/001565aabbcc.cfg", userAgent: nil, remoteIP: nil) else {
                Issue.record("config not served")
                return
            }
            #expect(ContinuousClock.now - started < .milliseconds(500))
            let fetchStarted = ContinuousClock.now
            await fetching.value
            // The hanging source is given up after the 1 s timeout, not after the 10 s it would hold us.
            #expect(ContinuousClock.now - fetchStarted < .seconds(5))
            #expect(cache.all.map(\.name).sorted() == ["Bob", "Zoe Remote"])
            let merged = try await builder.build(logger: Logger(label: "pb")).0
            guard case .file(let file, _) = merged.answer(path: "/phonebook/yealink.xml", userAgent: nil, remoteIP: nil) else { return }
            #expect(String(decoding: file.body, as: UTF8.self).contains("<Name>Zoe Remote</Name>"))
        }
        // Each bad source is skipped for its own reason. An endless body is cut off at 1 MB: had it been read
        // to the timeout, the reason would be the timeout, not the size.
        let reasons: [String: String] = [
            "/500": "HTTP 500", "/html": "not a Yealink directory document", "/big": "over 1 MB", "/endless": "over 1 MB",
        ]
        let fetcher = PhonebookSourceFetcher(
            store: local, cache: PhonebookCache(), catalog: ProvisioningCatalog(), logger: Logger(label: "pb"), timeout: 20)
        for (path, reason) in reasons.sorted(by: { $0.key < $1.key }) {
            let outcome = await fetcher.fetch(PhonebookSourceRecord(url: "http://127.0.0.1:\(badPort)\(path)", name: path), client: .shared)
            #expect(outcome == .failure(SkippedSource(reason: reason)), "\(path)")
        }
        // A source that fails now keeps its last good copy.
        let cache = PhonebookCache()
        let failing = try #require(try local.phonebookSources().first { $0.url.hasSuffix("/500") })
        cache.update(source: failing.url, entries: [PhonebookEntry(name: "Kept", number: "1")])
        await PhonebookSourceFetcher(store: local, cache: cache, catalog: ProvisioningCatalog(), logger: Logger(label: "pb"), timeout: 1).fetch(
            failing, client: .shared)
        #expect(cache.all.map(\.name) == ["Kept"])
    }
}
