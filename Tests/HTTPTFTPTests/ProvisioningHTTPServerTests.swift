import Foundation
import HTTPTFTP
import Logging
import NIOCore
import Provisioning
import ServiceLifecycle
import Synchronization
import TestHTTP
import Testing

/// The provisioning server on a real socket, fetched with the real curl client.
@Suite struct ProvisioningHTTPServerTests {
    /// Runs a server on a free loopback port around `body`.
    func withServer(
        _ store: ProvisioningStore, policy: FetchPolicy = FetchPolicy(), idleTimeout: TimeAmount = .seconds(30),
        _ body: (String) async throws -> Void
    ) async throws {
        let logger = Logger(label: "test")
        let catalog = ProvisioningCatalog()
        let builder = SnapshotBuilder(store: store, credentials: LocalAccountCredentialSource(store: store))
        let refresher = CatalogRefresher(catalog: catalog, builder: builder, store: store, logger: logger, interval: .milliseconds(50))
        try await refresher.refresh()
        let recorder = FetchRecorder(store: store, logger: logger)
        let (bound, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = ProvisioningHTTPServer(
            host: "127.0.0.1", port: 0, catalog: catalog, recorder: recorder, policy: policy, logger: logger, idleTimeout: idleTimeout
        ) { address in
            continuation.yield(address.port ?? 0)
        }
        let group = ServiceGroup(services: [refresher, recorder, server], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var ports = bound.makeAsyncIterator()
            let port = try #require(await ports.next())
            try await body("http://127.0.0.1:\(port)")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    func seededStore() throws -> (ProvisioningStore, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("autoprovision-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try ProvisioningStore(path: directory.appendingPathComponent("db.sqlite").path, defaultHost: "192.0.2.10")
        try store.saveAccount(AccountRecord(extensionNumber: "204", authUsername: "204", password: "pw<&>204", displayName: "Bob"))
        for (mac, model) in [("001565aabbcc", nil), ("000413aabbcc", "D785"), ("0c383eaabbcc", nil), ("c074adaabbcc", nil), ("001fc1aabbcc", nil)] {
            try store.addDevice(mac: MACAddress(parsing: mac), vendor: nil, model: model, templateName: nil, extensionNumber: "204", actor: "test")
        }
        return (store, directory)
    }

    @Test func servesEveryVendorFileName() async throws {
        let (store, directory) = try seededStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withServer(store) { base in
            let cases: [(String, String, String)] = [
                ("/001565aabbcc.cfg", "text/plain; charset=utf-8", "account.1.password = pw<&>204\n"),
                ("/001565AABBCC.cfg", "text/plain; charset=utf-8", "#!version:1.0.0.1\n"),
                ("/snomD785-000413AABBCC.htm", "application/xml; charset=utf-8", #"<user_pass idx="1" perm="RW">pw&lt;&amp;&gt;204</user_pass>"#),
                ("/snomD785.htm", "application/xml; charset=utf-8", "<settings>"),
                ("/0c383eaabbcc.cfg", "text/plain; charset=utf-8", "SIP1 Register Pswd :pw<&>204\n"),
                ("/cfgc074adaabbcc.xml", "application/xml; charset=utf-8", "<P34>pw&lt;&amp;&gt;204</P34>"),
                ("/cfg001fc1aabbcc.xml", "application/xml; charset=utf-8", "pw&lt;&amp;&gt;204</P34>"),
                ("/y000000000028.cfg", "text/plain; charset=utf-8", "#!version:1.0.0.1\n"),
            ]
            for (path, contentType, needle) in cases {
                let response = try await Curl.fetch(base + path)
                #expect(response.status == 200, "\(path)")
                #expect(response.headers["content-type"] == contentType, "\(path)")
                #expect(response.headers["content-length"] == String(response.body.utf8.count), "\(path)")
                #expect(response.body.contains(needle), "\(path): \(response.body)")
            }
        }
    }

    @Test func bodyIsExactlyWhatRenderMakes() async throws {
        let (store, directory) = try seededStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        let snapshot = try await SnapshotBuilder(store: store, credentials: LocalAccountCredentialSource(store: store)).build(
            logger: Logger(label: "t")
        ).0
        guard case .file(let file, _) = snapshot.answer(path: "/001565aabbcc.cfg", userAgent: nil, remoteIP: nil) else {
            Issue.record("no file")
            return
        }
        try await withServer(store) { base in
            let served = try await Curl.fetch(base + "/001565aabbcc.cfg").body
            #expect(served == String(decoding: file.body, as: UTF8.self))
        }
    }

    @Test func headHasLengthButNoBody() async throws {
        let (store, directory) = try seededStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withServer(store) { base in
            let get = try await Curl.fetch(base + "/001565aabbcc.cfg")
            let head = try await Curl.fetch(base + "/001565aabbcc.cfg", ["-I"])
            #expect(head.status == 200)
            #expect(head.headers["content-length"] == String(get.body.utf8.count))
            // On the wire: the response must end right after the header block.
            let raw = try RawSocket.send(
                "HEAD /001565aabbcc.cfg HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", host: "127.0.0.1", port: URL(string: base)!.port!)
            #expect(raw.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(raw.hasSuffix("\r\n\r\n"))
            #expect(!raw.contains("#!version"))
        }
    }

    @Test func refusalsHaveTheRightStatus() async throws {
        let (store, directory) = try seededStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.addDevice(
            mac: MACAddress(parsing: "001565000099"), vendor: nil, model: nil, templateName: nil, extensionNumber: "999", actor: "test")
        try store.set(.macBlacklist, to: "0c383eaabbcc")
        try await withServer(store) { base in
            #expect(try await Curl.fetch(base + "/").status == 200)
            #expect(try await Curl.fetch(base + "/001565ffffff.cfg").status == 404)
            #expect(try await Curl.fetch(base + "/001565aabbcc.boot").status == 404)
            #expect(try await Curl.fetch(base + "/cfg001565aabbcc.xml").status == 404)
            #expect(try await Curl.fetch(base + "/etc/passwd").status == 404)
            #expect(try await Curl.fetch(base + "/../../etc/passwd", ["--path-as-is"]).status == 400)
            #expect(try await Curl.fetch(base + "/%2e%2e/etc/passwd", ["--path-as-is"]).status == 400)
            #expect(try await Curl.fetch(base + "/0c383eaabbcc.cfg").status == 403)
            let post = try await Curl.fetch(base + "/001565aabbcc.cfg", ["-X", "POST", "-d", "x=1"])
            #expect(post.status == 405)
            #expect(post.headers["allow"] == "GET, HEAD")
            let unavailable = try await Curl.fetch(base + "/001565000099.cfg")
            #expect(unavailable.status == 503)
            #expect(unavailable.headers["retry-after"] == "30")
            #expect(!unavailable.body.contains("password"))
        }
    }

    @Test func whitelistRefusesUnlistedPhones() async throws {
        let (store, directory) = try seededStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.set(.macWhitelist, to: "00:15:65:aa:bb:cc")
        try await withServer(store) { base in
            let allowed = try await Curl.fetch(base + "/001565aabbcc.cfg").status
            let refused = try await Curl.fetch(base + "/cfgc074adaabbcc.xml").status
            #expect(allowed == 200)
            #expect(refused == 403)
        }
    }

    @Test func changesAreServedWithinOneSecondAndFetchesRecorded() async throws {
        let (store, directory) = try seededStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withServer(store) { base in
            #expect(try await Curl.fetch(base + "/001565aabbcc.cfg").body.contains("pw<&>204"))
            // Another process's change, through a second connection to the same file.
            let other = try ProvisioningStore(path: store.path)
            try other.saveAccount(AccountRecord(extensionNumber: "204", authUsername: "204", password: "changed", displayName: "Bob"))
            let deadline = ContinuousClock.now + .seconds(1)
            var seen = false
            while ContinuousClock.now < deadline {
                if try await Curl.fetch(base + "/001565aabbcc.cfg").body.contains("account.1.password = changed") {
                    seen = true
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(seen)
        }
        let device = try #require(try store.device(mac: MACAddress(parsing: "001565aabbcc")))
        #expect(device.device.lastIP == "127.0.0.1")
        #expect(device.device.lastConfigFetch != nil)
    }

    /// A phone's first fetch can reach the server before the daemon's neighbour cache has heard of the phone's
    /// just-made entry (or still name the phone that had the address before). The request is held and asked about
    /// again rather than refused; an address the table never learns is refused once the waits are spent.
    @Test func aFirstFetchWaitsForItsNeighbourEntry() async throws {
        let (store, directory) = try seededStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The requester is named by a trusted proxy, so the test needs no second host: loopback is never guarded.
        try store.set(.trustedProxies, to: "127.0.0.1/32")
        let mac = try MACAddress(parsing: "001565aabbcc")
        let neighbours = LateNeighbours(
            entries: ["192.0.2.77": mac, "192.0.2.79": mac, "192.0.2.80": mac], earlier: ["192.0.2.80": try MACAddress(parsing: "001565ddeeff")],
            after: .milliseconds(150))
        try await withServer(store, policy: FetchPolicy(neighbours: neighbours)) { base in
            let phone = try await Curl.fetch(base + "/001565aabbcc.cfg", ["-H", "X-Forwarded-For: 192.0.2.77"])
            #expect(phone.status == 200 && phone.body.contains("pw<&>204"), "\(phone)")
            // An address another phone had, now this phone's: the cache names the old phone for a moment.
            let reused = try await Curl.fetch(base + "/001565aabbcc.cfg", ["-H", "X-Forwarded-For: 192.0.2.80"])
            #expect(reused.status == 200 && reused.body.contains("pw<&>204"), "\(reused)")
            // A request pipelined behind a held one is answered after it, in order.
            let client = try TCPClient(port: try #require(URL(string: base)?.port))
            defer { client.close() }
            try client.send(
                "GET /001565aabbcc.cfg HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 192.0.2.79\r\n\r\n"
                    + "GET /y000000000000.cfg HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 192.0.2.79\r\nConnection: close\r\n\r\n")
            let answers = try await Curl.offPool { client.receiveAll(timeout: .seconds(5)) }
            let heads = answers.ranges(of: "HTTP/1.1 ").map { String(answers[$0.upperBound...].prefix(3)) }
            #expect(heads == ["200", "200"], "\(answers)")
            let password = try #require(answers.range(of: "pw<&>204"), "\(answers)")
            #expect(answers[password.upperBound...].contains("HTTP/1.1 200"), "the held request's answer came second")
            let started = ContinuousClock.now
            let stranger = try await Curl.fetch(base + "/001565aabbcc.cfg", ["-H", "X-Forwarded-For: 192.0.2.78"])
            let waited = ContinuousClock.now - started
            #expect(stranger.status == 403, "\(stranger)")
            #expect(waited >= .milliseconds(300), "refused after \(waited), before its waits were spent")
        }
    }

    @Test func survivesGarbageOnTheSocket() async throws {
        let (store, directory) = try seededStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withServer(store) { base in
            let url = URL(string: base)!
            for garbage in [
                "\u{0}\u{1}\u{2}garbage\r\n\r\n", "GET /\(String(repeating: "a", count: 100_000)) HTTP/1.1\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
            ] {
                try RawSocket.send(garbage, host: "127.0.0.1", port: url.port!)
            }
            let status = try await Curl.fetch(base + "/001565aabbcc.cfg").status
            #expect(status == 200)
        }
    }

    @Test func idleConnectionsAreClosed() async throws {
        let (store, directory) = try seededStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withServer(store, idleTimeout: .milliseconds(300)) { base in
            let port = URL(string: base)!.port!
            // RawSocket reads until the server closes, or gives up after 2 s.
            let silent = ContinuousClock.now
            #expect(try RawSocket.send("", host: "127.0.0.1", port: port) == "")
            #expect(ContinuousClock.now - silent < .milliseconds(1500), "a connection that sends nothing is closed")
            let served = ContinuousClock.now
            let reply = try RawSocket.send("GET /001565aabbcc.cfg HTTP/1.1\r\nUser-Agent: Yealink\r\n\r\n", host: "127.0.0.1", port: port)
            #expect(reply.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(ContinuousClock.now - served < .milliseconds(1500), "a kept-alive connection is closed once it goes quiet")
        }
    }

    @Test func firmwareWithETagRangesAndHead() async throws {
        let (store, directory) = try seededStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = directory.appendingPathComponent("T46S.rom")
        let bytes = (0..<700_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: source)
        let record = try FirmwareRepository(store: store).add(source, vendor: .yealink)
        try await withServer(store) { base in
            let output = directory.appendingPathComponent("download")
            #expect(try await Curl.raw(["-o", output.path, base + record.path]).status == 0)
            #expect(try Data(contentsOf: output) == Data(bytes))
            let etag = "\"\(record.sha256)\""
            let head = try await Curl.fetch(base + record.path, ["-I"])
            #expect(head.headers["etag"] == etag)
            #expect(head.headers["content-length"] == "700000")
            #expect(try await Curl.fetch(base + record.path, ["-H", "If-None-Match: \(etag)"]).status == 304)
            #expect(try await Curl.raw(["-r", "699990-", "-o", output.path, base + record.path]).status == 0)
            #expect(try Data(contentsOf: output) == Data(bytes.suffix(10)))
            let partial = try await Curl.fetch(base + record.path, ["-r", "100-199"])
            #expect(partial.status == 206)
            #expect(partial.headers["content-range"] == "bytes 100-199/700000")
            #expect(try await Curl.fetch(base + record.path, ["-r", "800000-"]).status == 416)
            #expect(try await Curl.fetch(base + "/firmware/99/none.rom").status == 404)
            // The config now points at it.
            #expect(try await Curl.fetch(base + "/001565aabbcc.cfg").body.contains("firmware.url = http://192.0.2.10:8480\(record.path)"))
        }
    }
}

/// A neighbour table that learns each entry a moment after it is first asked about it, as the daemon's cache hears of a
/// just-resolved phone after the phone's connection is open. A stand-in: the real kernel loses that race only under load.
final class LateNeighbours: NeighbourLookup, Sendable {
    let entries: [String: MACAddress]
    /// What the table says before it learns the entry: nothing, or another phone.
    let earlier: [String: MACAddress]
    let delay: Duration
    private let firstAsked = Mutex<[String: ContinuousClock.Instant]>([:])

    init(entries: [String: MACAddress], earlier: [String: MACAddress] = [:], after delay: Duration) {
        self.entries = entries
        self.earlier = earlier
        self.delay = delay
    }

    func mac(for address: String) -> MACAddress? {
        guard let mac = entries[address] else { return nil }
        let now = ContinuousClock.now
        let first = firstAsked.withLock { asked in
            if asked[address] == nil { asked[address] = now }
            return asked[address] ?? now
        }
        return now - first >= delay ? mac : earlier[address]
    }
}
