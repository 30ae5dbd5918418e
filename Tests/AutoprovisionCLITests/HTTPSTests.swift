import Foundation
import TestCLI
import TestHTTP
import TestNetwork
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// HTTPS provisioning end to end: `tls generate` and `tls import`, the listener `serve` opens,
/// checked with the real `curl` and `openssl s_client`, and phones proven by device certificates
/// from a vendor CA made here with `openssl`.
@Suite(.serialized) struct HTTPSTests {
    static let openssl = "/usr/bin/openssl"
    static var skipReason: String? {
        // Under CI the tests run, and fail without openssl, rather than skip.
        guard FileManager.default.isExecutableFile(atPath: openssl) || ProcessInfo.processInfo.environment["CI"] == "true" else {
            return "skipped: openssl is not installed"
        }
        return nil
    }

    /// Runs a command off the concurrency pool; its exit status and everything it printed.
    static func run(_ tool: String, _ arguments: [String], stdin: String = "", in directory: URL? = nil) async throws -> (
        status: Int32, output: String
    ) {
        try await Curl.offPool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            if let directory { process.currentDirectoryURL = directory }
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = output
            try process.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try? input.fileHandleForWriting.close()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }

    /// `openssl s_client` against the daemon; what it printed and its exit status.
    static func handshake(_ port: Int, host: String = "127.0.0.1", _ extra: [String] = []) async throws -> (status: Int32, output: String) {
        try await run(openssl, ["s_client", "-connect", "\(host):\(port)", "-servername", "localhost", "-brief"] + extra, stdin: "")
    }

    /// A non-loopback address of this host, so the fetch guard sees neither loopback nor a neighbour.
    static func hostAddress() async throws -> String? {
        let listing = try await run("/usr/sbin/ip", ["-4", "-o", "addr", "show", "scope", "global"]).output
        for line in listing.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if let index = fields.firstIndex(of: "inet"), index + 1 < fields.count {
                return String(fields[index + 1].split(separator: "/")[0])
            }
        }
        return nil
    }

    static func waitFor(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<100 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test(.enabled(if: skipReason == nil, "\(skipReason ?? "")"))
    func generatedCertificateVersionsAndASwapWhileRunning() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let port = freePort(in: 10000..<21000, also: [10000])
        let httpsPort = port + 10000
        for (key, value) in [("pbx-host", "127.0.0.1"), ("http-port", String(port)), ("https-port", String(httpsPort))] {
            #expect(try await cli.run(["settings", "set", key, value]).status == 0)
        }
        #expect(try await cli.run(["device", "add", "001565aabbcc"]).status == 0)
        let generated = try await cli.run(["tls", "generate", "--host", "localhost"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let tls = cli.directory.appendingPathComponent("tls")
        let ca = tls.appendingPathComponent("ca.pem").path
        #expect(generated.stdout.contains(ca) && generated.stdout.contains("SHA-256"), "\(generated.stdout)")
        let attributes = try FileManager.default.attributesOfItem(atPath: tls.appendingPathComponent("server.key").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let log = cli.directory.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let serve = try cli.serve(["--bind", "127.0.0.1"], log: log)
        defer { if serve.isRunning { serve.terminate() } }
        let base = "https://localhost:\(httpsPort)"
        let up = try await Self.waitFor { (try? await Curl.fetch(base + "/", ["--cacert", ca]))?.status == 200 }
        #expect(up, "the generated certificate does not verify with curl --cacert: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        // Same files as HTTP, from this host; and the private URL now names https.
        let file = try await Curl.fetch(base + "/001565aabbcc.cfg", ["--cacert", ca])
        #expect(file.status == 200 && file.body.contains("account.1.user_name = guest"))
        let url = try await cli.run(["device", "url", "001565aabbcc"]).stdout
        #expect(url.hasPrefix("https://127.0.0.1:\(httpsPort)/p/"), "\(url)")
        #expect(try await cli.run(["tls", "show"]).stdout.contains("localhost"))

        // TLS 1.2 and 1.3 are accepted; TLS 1.1 is refused even by a client willing to use it.
        let v13 = try await Self.handshake(httpsPort, ["-tls1_3"])
        #expect(v13.status == 0 && v13.output.contains("TLSv1.3"), "\(v13.output)")
        let v12 = try await Self.handshake(httpsPort, ["-tls1_2"])
        #expect(v12.status == 0 && v12.output.contains("TLSv1.2") && v12.output.contains("ECDHE"), "\(v12.output)")
        let v11 = try await Self.handshake(httpsPort, ["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"])
        #expect(v11.status != 0 && !v11.output.contains("Protocol version: TLSv1.1"), "\(v11.output)")
        #expect(v11.output.lowercased().contains("alert protocol version") || v11.output.contains("wrong version"), "\(v11.output)")

        // A certificate imported while running is served on new handshakes within a second.
        let key = cli.directory.appendingPathComponent("swapped.key").path
        let cert = cli.directory.appendingPathComponent("swapped.pem").path
        let made = try await Self.run(
            Self.openssl,
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=swapped.example",
                "-addext", "subjectAltName=DNS:swapped.example,IP:127.0.0.1",
            ])
        #expect(made.status == 0, "\(made.output)")
        let imported = try await cli.run(["tls", "import", "--cert", cert, "--key", key])
        #expect(imported.status == 0, "\(imported.stderr)")
        let swapped = ContinuousClock.now
        var seen = try await Self.handshake(httpsPort)
        while !seen.output.contains("swapped.example"), ContinuousClock.now - swapped < .seconds(1) {
            try await Task.sleep(for: .milliseconds(50))
            seen = try await Self.handshake(httpsPort)
        }
        #expect(seen.output.contains("swapped.example"), "the new certificate was not served within 1 s: \(seen.output)")
        #expect(try await Curl.fetch("https://127.0.0.1:\(httpsPort)/", ["--cacert", cert]).status == 200)
        #expect(!(try String(contentsOf: log, encoding: .utf8)).contains("PRIVATE KEY"))
    }

    @Test(.enabled(if: skipReason == nil, "\(skipReason ?? "")"))
    func deviceCertificatesOpenTheirOwnFileOnly() async throws {
        guard let address = try await Self.hostAddress() else {
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("this host has no non-loopback IPv4 address") }
            return
        }
        let cli = try CLI()
        defer { cli.cleanUp() }
        let dir = cli.directory
        let port = freePort(in: 10000..<21000, also: [10000])
        let httpsPort = port + 10000
        for (key, value) in [("pbx-host", address), ("http-port", String(port)), ("https-port", String(httpsPort)), ("fetch-guard", "strict")] {
            #expect(try await cli.run(["settings", "set", key, value]).status == 0)
        }
        #expect(try await cli.run(["device", "add", "001565aabbcc"]).status == 0)
        #expect(try await cli.run(["device", "add", "001565ddeeff"]).status == 0)
        #expect(try await cli.run(["tls", "generate"]).status == 0)
        let ca = dir.appendingPathComponent("tls/ca.pem").path

        // A test vendor's device CA, a phone certificate it issued, and a self-signed one naming the same MAC.
        func openssl(_ arguments: [String]) async throws {
            let result = try await Self.run(Self.openssl, arguments, in: dir)
            #expect(result.status == 0, "openssl \(arguments.joined(separator: " ")): \(result.output)")
        }
        try await openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "vendor.key", "-out", "vendor.pem", "-days", "30", "-subj",
            "/O=Test Vendor/CN=Test Vendor Device CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ])
        try await openssl([
            "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "phone.key", "-out", "phone.csr", "-subj", "/CN=SIP-T46S-001565AABBCC",
        ])
        try await openssl([
            "x509", "-req", "-in", "phone.csr", "-CA", "vendor.pem", "-CAkey", "vendor.key", "-CAcreateserial", "-days", "30", "-out", "phone.pem",
        ])
        try await openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "forged.key", "-out", "forged.pem", "-days", "30", "-subj",
            "/CN=001565AABBCC",
        ])
        let setCA = try await cli.run(["settings", "set", "device-ca", "@" + dir.appendingPathComponent("vendor.pem").path])
        #expect(setCA.status == 0, "\(setCA.stderr)")

        let log = dir.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let serve = try cli.serve(["--bind", "0.0.0.0"], log: log)
        defer { if serve.isRunning { serve.terminate() } }
        let base = "https://\(address):\(httpsPort)"
        let phone = ["--cacert", ca, "--cert", dir.appendingPathComponent("phone.pem").path, "--key", dir.appendingPathComponent("phone.key").path]
        let forged = [
            "--cacert", ca, "--cert", dir.appendingPathComponent("forged.pem").path, "--key", dir.appendingPathComponent("forged.key").path,
        ]
        let up = try await Self.waitFor { (try? await Curl.fetch(base + "/", ["--cacert", ca]))?.status == 200 }
        #expect(up, "HTTPS did not come up: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")

        // Under strict, from an address that is neither loopback nor a neighbour: the certificate alone opens the file.
        let own = try await Curl.fetch(base + "/001565aabbcc.cfg", phone)
        #expect(own.status == 200 && own.body.contains("account.1.user_name = guest"), "\(own)")
        #expect(try await Curl.fetch(base + "/001565ddeeff.cfg", phone).status == 403, "another phone's file with this phone's certificate")
        #expect(try await Curl.fetch(base + "/001565aabbcc.cfg", forged).status == 403, "a self-signed certificate naming the MAC")
        #expect(try await Curl.fetch(base + "/001565aabbcc.cfg", ["--cacert", ca]).status == 403, "no certificate under strict")
        #expect(try await Curl.fetch("http://\(address):\(port)/001565aabbcc.cfg").status == 403, "plain HTTP under strict")
        // The verified MAC and the certificate's subject are recorded on the device.
        let recorded = try await Self.waitFor {
            try await cli.run(["device", "list"]).stdout.contains("SIP-T46S-001565AABBCC")
        }
        #expect(recorded, "device list does not show the certificate subject")
        let logged = try String(contentsOf: log, encoding: .utf8)
        #expect(logged.contains("does not chain to device-ca"), "the forged certificate was not reported")
        #expect(!logged.contains("PRIVATE KEY"))
    }

    @Test(.enabled(if: skipReason == nil, "\(skipReason ?? "")"))
    func stalledAndGarbageHandshakesAreClosedAndBounded() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let port = freePort(in: 10000..<21000, also: [10000])
        let httpsPort = port + 10000
        for (key, value) in [("pbx-host", "127.0.0.1"), ("http-port", String(port)), ("https-port", String(httpsPort))] {
            #expect(try await cli.run(["settings", "set", key, value]).status == 0)
        }
        #expect(try await cli.run(["tls", "generate", "--host", "localhost"]).status == 0)
        let ca = cli.directory.appendingPathComponent("tls/ca.pem").path
        let log = cli.directory.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let serve = try cli.serve(["--bind", "0.0.0.0"], log: log)
        defer { if serve.isRunning { serve.terminate() } }
        let base = "https://127.0.0.1:\(httpsPort)"
        #expect(try await Self.waitFor { (try? await Curl.fetch(base + "/", ["--cacert", ca]))?.status == 200 })

        // A garbage ClientHello gets the connection closed, and the daemon goes on serving.
        let garbage = try await TCPProbe.sendAndRead(port: httpsPort, bytes: Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(garbage.closed, "a plain-text request on the HTTPS port was not closed")
        // Connections that open and never say a word: beyond the per-address bound they are closed at once.
        let stalled = try await TCPProbe.openIdle(port: httpsPort, count: 40)
        try await Task.sleep(for: .milliseconds(500))
        let closedAtOnce = stalled.filter { TCPProbe.isClosed($0) }.count
        #expect(closedAtOnce == 40 - 32, "\(closedAtOnce) of 40 stalled handshakes were closed at once; 8 expected over the bound of 32")
        if let address = try await Self.hostAddress() {
            let other = ["--cacert", ca, "--resolve", "localhost:\(httpsPort):\(address)"]
            #expect(try await Curl.fetch("https://localhost:\(httpsPort)/", other).status == 200, "a stalling address must not stop others")
        }
        // The rest are closed by the 10 s handshake timeout.
        try await Task.sleep(for: .seconds(11))
        #expect(stalled.allSatisfy { TCPProbe.isClosed($0) }, "a stalled handshake outlived the 10 s timeout")
        for fd in stalled { close(fd) }
        #expect(serve.isRunning)
    }
}

/// Raw TCP connections to the daemon, for what no well-behaved client does.
enum TCPProbe {
    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        return fd
    }

    /// Sends `bytes`, then reads until the server closes (or 5 s pass).
    static func sendAndRead(port: Int, bytes: [UInt8]) async throws -> (closed: Bool, received: [UInt8]) {
        try await Curl.offPool {
            let fd = try connect(port: port)
            defer { close(fd) }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count == 0 { return (true, received) }
                if count < 0 { return (errno == ECONNRESET, received) }
                received += buffer[..<count]
            }
        }
    }

    /// Opens `count` connections that never send a byte.
    static func openIdle(port: Int, count: Int) async throws -> [Int32] {
        try await Curl.offPool { try (0..<count).map { _ in try connect(port: port) } }
    }

    /// Whether the server has closed this connection (a read would return end of file or a reset).
    static func isClosed(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }
}
