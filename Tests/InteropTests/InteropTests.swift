import Foundation
import TestCLI
import TestNetwork
import Testing

/// The daemon against a real Asterisk 22 and real pjsua phones, each phone in a network namespace
/// of its own with its own MAC. Each test starts its own Asterisk on its own ports and loads the
/// files the daemon writes into `asterisk-conf-dir`, with our `manager.conf` sample's AMI user.
@Suite(.serialized) struct InteropTests {
    static let amiSecret = "interop-ami-secret-\(UInt32.random(in: 0..<UInt32.max))"

    struct Lab {
        let cli: CLI
        let asterisk: AsteriskLab
        let daemon: Daemon
        let httpPort: Int
        var sipPort: Int { asterisk.sipPort }

        @discardableResult
        func cli(_ arguments: [String]) throws -> CLI.Result {
            let result = try cli.runBlocking(arguments)
            guard result.status == 0 else { throw InteropError("autoprovision \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
            return result
        }

        var amiArguments: [String] { ["--ami", "127.0.0.1:\(asterisk.amiPort)"] }

        /// `module reload res_pjsip.so`, repeated while Asterisk refuses it because another reload (the daemon's own,
        /// after it rewrote its files) is still running or Asterisk has not finished booting. Returns what Asterisk said.
        func reloadPJSIP() async throws -> String {
            var said = ""
            for _ in 0..<50 {
                said = try await asterisk.cli("module reload res_pjsip.so")
                let refused = ["already in progress", "currently reloading", "queued", "didn't finish"].contains { said.contains($0) }
                if !refused { return said }
                step("Asterisk refused the reload for now: \(said.trimmingCharacters(in: .whitespacesAndNewlines))")
                try await Task.sleep(for: .milliseconds(200))
            }
            throw InteropError("Asterisk kept refusing module reload res_pjsip.so: \(said)")
        }

        /// Waits until Asterisk lists `count` contacts of `aor` (`guest`), and returns the listing.
        func waitForContacts(_ expected: [String], timeout: Duration = .seconds(10)) async throws {
            var listing = ""
            let seen = await eventually(timeout) {
                listing = (try? await asterisk.cli("pjsip show contacts")) ?? ""
                return expected.allSatisfy { listing.contains($0) }
            }
            guard seen else { throw InteropError("Asterisk did not list \(expected) within \(timeout):\n\(listing)") }
        }
    }

    /// Fails under CI=true when the lab cannot run; elsewhere the test was skipped already. Then waits for
    /// the turn that the heavy network tests take one at a time (the PnP tests and the browser walk-through
    /// hold UDP 5060; these check timings of real processes on two cores): release it with ``endTurn()``.
    static func requireLabAndTakeTurn() async throws {
        if let reason = AsteriskLab.unavailableReason { throw InteropError("CI=true, and the interop tests cannot run: \(reason)") }
        await SIPPortLock.shared.acquire()
    }

    static func endTurn() {
        Task { await SIPPortLock.shared.release() }
    }

    /// Starts the daemon with `asterisk-conf-dir` inside a new Asterisk's etc/, then that Asterisk, and runs `body`.
    static func withLab(
        extensions: [(number: String, password: String)], pbxHost: String, sipPort: Int? = nil, serveArguments: [String] = ["--no-pnp"],
        asteriskFirst: Bool = false, _ body: (Lab) async throws -> Void
    ) async throws {
        let cli = try CLI()
        let asterisk = try AsteriskLab(files: [:], sipPort: sipPort)
        let confDirectory = "\(asterisk.etc)/autoprovision"
        try asterisk.write("pjsip.conf", AsteriskLab.pjsipConf(include: "\(confDirectory)/pjsip.conf", extensions: extensions))
        try asterisk.write("extensions.conf", AsteriskLab.extensionsConf(include: "\(confDirectory)/extensions.conf"))
        try asterisk.write("manager.conf", AsteriskLab.managerConf(secret: amiSecret))
        let httpPort = freePort(in: 27000..<30000)
        let agiPort = freePort(in: 30000..<32768)
        for (key, value) in [("pbx-host", pbxHost), ("sip-port", String(asterisk.sipPort)), ("asterisk-conf-dir", confDirectory)] {
            _ = try cli.runBlocking(["settings", "set", key, value])
        }
        if asteriskFirst {
            // Asterisk takes its SIP port before the daemon starts (PnP beside Asterisk): the files come from the CLI.
            do {
                _ = try cli.runBlocking(["asterisk-conf", "--agi", "127.0.0.1:\(agiPort)", "--output", confDirectory])
                try await asterisk.up()
            } catch {
                await asterisk.remove()
                cli.cleanUp()
                throw error
            }
        }
        let daemon = try Daemon(
            cli: cli,
            arguments: [
                "--bind", "0.0.0.0", "--http-port", String(httpPort), "--agi", "127.0.0.1:\(agiPort)", "--admin", "off", "--ami",
                "127.0.0.1:\(asterisk.amiPort)",
            ]
                + serveArguments,
            environment: ["AUTOPROVISION_AMI_SECRET": amiSecret]
        )
        let lab = Lab(cli: cli, asterisk: asterisk, daemon: daemon, httpPort: httpPort)
        do {
            // The daemon writes the files before Asterisk first reads them.
            if !asteriskFirst {
                try await daemon.waitForLog("asterisk-conf-dir: wrote \(confDirectory)/pjsip.conf")
                step("daemon wrote \(confDirectory); starting Asterisk in \(asterisk.directory)")
                try await asterisk.up()
            }
            try await daemon.waitForLog("AMI sync:", timeout: .seconds(30))
            step("daemon synced over AMI")
            try await body(lab)
        } catch {
            await daemon.stop()
            await asterisk.remove()
            cli.cleanUp()
            throw error
        }
        await daemon.stop()
        await asterisk.remove()
        cli.cleanUp()
    }

    /// Lets a phone reach every address of the host (the PBX address is on the first phone's link).
    static func routeToHost(_ namespace: PhoneNamespace) async throws {
        try await PhoneNamespace.run(PhoneNamespace.ipCommand!, ["-n", namespace.name, "route", "add", "default", "via", namespace.hostIP])
    }

    // MARK: - 1. The whole self-binding flow

    @Test(.enabled(if: AsteriskLab.skipReason == nil, "skipped: \(AsteriskLab.skipReason ?? "")"))
    func starCodeBindsTheDiallingPhoneAndNotifiesOnlyIt() async throws {
        try await Self.requireLabAndTakeTurn()
        defer { Self.endTurn() }
        let (mac1, mac2) = ("00:15:65:1e:00:01", "00:15:65:1e:00:02")
        try await PhoneNamespace.with(phoneMAC: mac1, network: 201) { ns1 in
            try await PhoneNamespace.with(phoneMAC: mac2, network: 202) { ns2 in
                try await Self.routeToHost(ns1)
                try await Self.routeToHost(ns2)
                try await Self.withLab(extensions: [("200", "pw-200-interop"), ("201", "pw-201-interop")], pbxHost: ns1.hostIP) { lab in
                    try lab.cli(["device", "add", mac1])
                    try lab.cli(["device", "add", mac2])
                    // Both phones fetch their files: unbound, so the guest account.
                    let base = "http://\(ns1.hostIP):\(lab.httpPort)/"
                    let file1 = try await fetchFile(ns1, base + "0015651e0001.cfg")
                    let file2 = try await fetchFile(ns2, base + "0015651e0002.cfg")
                    let guest = try #require(yealinkValue(file1, "account.1.user_name"))
                    let guestSecret = try #require(yealinkValue(file1, "account.1.password"))
                    #expect(yealinkValue(file2, "account.1.user_name") == guest)
                    let phone1 = try LabPhone(in: ns1, registrar: "\(ns1.hostIP):\(lab.sipPort)", username: guest, password: guestSecret)
                    let phone2 = try LabPhone(in: ns2, registrar: "\(ns2.hostIP):\(lab.sipPort)", username: guest, password: guestSecret)
                    try await lab.waitForContacts(["\(guest)/sip:\(guest)@\(ns1.phoneIP):5070", "\(guest)/sip:\(guest)@\(ns2.phoneIP):5070"])
                    step("both phones registered on the guest account")
                    // The daemon learns contacts from ContactStatus events; give them a moment to arrive.
                    try await Task.sleep(for: .milliseconds(500))

                    phone1.dial("sip:*123*200@\(ns1.hostIP):\(lab.sipPort)")
                    try await lab.daemon.waitForLog("star-code bind from \(ns1.phoneIP) MAC \(mac1) extension 200 line 1: OK")
                    try await lab.daemon.waitForLog("\(mac1): check-sync sent")
                    step("phone 1 bound to 200 and notified")

                    // asterisk-conf-dir: a new template is dialable within 2 s, without a hand edit or reload.
                    _ = try lab.cli(["settings", "set", "extension-template", "*55*200"])
                    let changed = ContinuousClock.now
                    let live = await eventually(.seconds(2)) {
                        ((try? await lab.asterisk.cli("dialplan show *55*999@autoprovision-guest")) ?? "").contains("AGI(agi://")
                    }
                    #expect(live, "the new star code was not in Asterisk's dialplan within 2 s")
                    step("template change live in Asterisk after \(ContinuousClock.now - changed)")
                    phone2.dial("sip:*55*999@\(ns2.hostIP):\(lab.sipPort)")
                    try await lab.daemon.waitForLog("star-code bind from \(ns2.phoneIP) MAC \(mac2) extension 999 line 1: EXTEN_NOT_FOUND")
                    try await lab.waitForContacts(["\(guest)/sip:\(guest)@\(ns2.phoneIP):5070"])
                    // Time for a stray NOTIFY to reach the other phone, had one been sent.
                    try await Task.sleep(for: .seconds(3))

                    let log1 = await phone1.quit()
                    let log2 = await phone2.quit()
                    #expect(LabPhone.checkSyncs(in: log1) == ["NOTIFY sip:\(guest)@\(ns1.phoneIP):5070;ob SIP/2.0"])
                    #expect(LabPhone.checkSyncs(in: log2).isEmpty, "the other phone on the guest account must not be notified")
                    let asterisk = lab.asterisk.fullLog
                    let ranAGI = asterisk.contains("Executing [*123*200@autoprovision-guest:3] AGI(\"PJSIP/\(guest)-")
                    let hungUp = asterisk.contains("Executing [*123*200@autoprovision-guest:1] Hangup(")
                    let dropped = asterisk.contains("No default outbound endpoint")
                    #expect(ranAGI, "Asterisk did not run AGI for the star code")
                    #expect(!hungUp, "Asterisk hung up the star code before AGI")
                    #expect(!dropped, "Asterisk dropped a NOTIFY: No default outbound endpoint set")

                    // Phone 1 "reboots": its file now carries extension 200's credentials, read over AMI, and it registers with them.
                    let bound = try await fetchFile(ns1, base + "0015651e0001.cfg")
                    #expect(yealinkValue(bound, "account.1.auth_name") == "200")
                    #expect(yealinkValue(bound, "account.1.password") == "pw-200-interop")
                    let server = try #require(yealinkValue(bound, "account.1.sip_server_host"))
                    let port = try #require(yealinkValue(bound, "account.1.sip_server_port"))
                    let rebooted = try LabPhone(in: ns1, registrar: "\(server):\(port)", username: "200", password: "pw-200-interop")
                    try await lab.waitForContacts(["200/sip:200@\(ns1.phoneIP):5070"])
                    _ = await rebooted.quit()
                    // Phone 2 stays on the guest account.
                    #expect(yealinkValue(try await fetchFile(ns2, base + "0015651e0002.cfg"), "account.1.user_name") == guest)
                    #expect(!lab.daemon.log.contains("pw-200-interop"), "a SIP password in the daemon's log")
                }
            }
        }
    }

    // MARK: - 2. AMI against the real thing

    @Test(.enabled(if: AsteriskLab.skipReason == nil, "skipped: \(AsteriskLab.skipReason ?? "")"))
    func amiSyncReloadRestartAndRebootOfOnePhone() async throws {
        try await Self.requireLabAndTakeTurn()
        defer { Self.endTurn() }
        let (mac1, mac2) = ("00:15:65:2e:00:01", "00:15:65:2e:00:02")
        try await PhoneNamespace.with(phoneMAC: mac1, network: 203) { ns1 in
            try await PhoneNamespace.with(phoneMAC: mac2, network: 204) { ns2 in
                try await Self.routeToHost(ns1)
                try await Self.routeToHost(ns2)
                try await Self.withLab(extensions: [("300", "pw-300-first"), ("301", "pw-301-interop")], pbxHost: ns1.hostIP) { lab in
                    // ami check, as the admin runs it, with the sample's AMI user.
                    let secretFile = lab.cli.directory.appendingPathComponent("ami.secret").path
                    try Self.amiSecret.write(toFile: secretFile, atomically: true, encoding: .utf8)
                    let check = try lab.cli(["ami", "check"] + lab.amiArguments + ["--ami-secret-file", secretFile])
                    #expect(
                        check.stdout.split(separator: "\n").contains { $0.hasPrefix("300 ") && $0.hasSuffix("provisionable") && !$0.contains("NOT") })
                    #expect(check.stdout.split(separator: "\n").contains { $0.hasPrefix("301 ") })
                    #expect(!check.stdout.contains("pw-300-first"))

                    // An extension Asterisk does not have is refused, from the daemon's last AMI sync.
                    let typo = try lab.cli.runBlocking(["device", "add", mac1, "--extension", "3000"])
                    #expect(typo.status != 0)
                    #expect(typo.stderr.contains("extension 3000 is not a provisionable PJSIP endpoint in Asterisk"))
                    try lab.cli(["device", "add", mac1, "--extension", "300"])
                    try lab.cli(["device", "add", mac2, "--extension", "301"])
                    let base = "http://\(ns1.hostIP):\(lab.httpPort)/"
                    #expect(yealinkValue(try await fetchFile(ns1, base + "0015652e0001.cfg"), "account.1.password") == "pw-300-first")
                    _ = try await fetchFile(ns2, base + "0015652e0002.cfg")

                    // A password changed in pjsip.conf and `module reload res_pjsip.so` is served within seconds
                    // (under 0.5 s on a quiet machine; 10 s leaves room for a busy one).
                    let conf = "\(lab.asterisk.etc)/pjsip.conf"
                    try String(contentsOfFile: conf, encoding: .utf8).replacingOccurrences(of: "pw-300-first", with: "pw-300-second")
                        .write(toFile: conf, atomically: true, encoding: .utf8)
                    let reload = try await lab.reloadPJSIP()
                    let reloaded = ContinuousClock.now
                    let served = await eventually(.seconds(10)) {
                        yealinkValue((try? await fetchFile(ns1, base + "0015652e0001.cfg")) ?? "", "account.1.password") == "pw-300-second"
                    }
                    if served {
                        step("password served \(ContinuousClock.now - reloaded) after module reload res_pjsip.so")
                    } else {
                        // What each side held when it failed: Asterisk's auth, and the daemon's AMI, snapshot, fetch and neighbour lines.
                        let auth = (try? await lab.asterisk.cli("pjsip show auth 300")) ?? ""
                        let amiLines = lab.daemon.log.split(separator: "\n").filter {
                            $0.contains("AMI") || $0.contains("snapshot") || $0.contains("0015652e0001") || $0.contains("eighbour")
                        }.suffix(60)
                        Issue.record(
                            """
                            the new password was not served within 10 s of the reload (Asterisk said: \(reload))
                            pjsip show auth 300: \(auth)
                            the daemon's last AMI, snapshot, fetch and neighbour lines:
                            \(amiLines.joined(separator: "\n"))
                            """)
                    }

                    // The sample's AMI user was enough for everything so far: Asterisk refused nothing we sent.
                    // (Right after a restart Asterisk answers "Permission denied" until it has booted; the client retries.)
                    #expect(!lab.daemon.log.contains("Permission denied"))
                    // After an Asterisk restart the client reconnects and re-syncs.
                    await lab.asterisk.down()
                    try String(contentsOfFile: conf, encoding: .utf8).replacingOccurrences(of: "pw-300-second", with: "pw-300-third")
                        .write(toFile: conf, atomically: true, encoding: .utf8)
                    try await lab.asterisk.up()
                    let resynced = await eventually(.seconds(40)) {
                        yealinkValue((try? await fetchFile(ns1, base + "0015652e0001.cfg")) ?? "", "account.1.password") == "pw-300-third"
                    }
                    #expect(resynced, "no re-sync after Asterisk restarted")

                    // device reboot reaches exactly the one registered phone: seen in pjsua's own log.
                    let phone1 = try LabPhone(in: ns1, registrar: "\(ns1.hostIP):\(lab.sipPort)", username: "300", password: "pw-300-third")
                    let phone2 = try LabPhone(in: ns2, registrar: "\(ns2.hostIP):\(lab.sipPort)", username: "301", password: "pw-301-interop")
                    try await lab.waitForContacts(["300/sip:300@\(ns1.phoneIP):5070", "301/sip:301@\(ns2.phoneIP):5070"])
                    let reboot = try lab.cli.runBlocking(["device", "reboot", mac1] + lab.amiArguments + ["--ami-secret-file", secretFile])
                    #expect(reboot.status == 0, "\(reboot.stderr)")
                    #expect(reboot.stdout == "check-sync sent through Asterisk (Endpoint: 300)\n")
                    try await Task.sleep(for: .seconds(2))
                    let log1 = await phone1.quit()
                    let log2 = await phone2.quit()
                    #expect(LabPhone.checkSyncs(in: log1).count == 1)
                    #expect(LabPhone.checkSyncs(in: log1).first?.hasPrefix("NOTIFY sip:300@\(ns1.phoneIP):5070") == true)
                    #expect(LabPhone.checkSyncs(in: log2).isEmpty)
                    let asterisk = lab.asterisk.fullLog
                    let dropped = asterisk.contains("No default outbound endpoint")
                    #expect(!dropped, "Asterisk dropped a NOTIFY: No default outbound endpoint set")
                }
            }
        }
    }

    // MARK: - 3. PnP beside a real Asterisk on UDP 5060

    @Test(.enabled(if: AsteriskLab.skipReason == nil, "skipped: \(AsteriskLab.skipReason ?? "")"))
    func pnpIsAnsweredBesideAsteriskOn5060() async throws {
        try await Self.requireLabAndTakeTurn()
        defer { Self.endTurn() }
        do {
            try await PhoneNamespace.with(phoneMAC: "00:15:65:f4:f9:e1", network: 205) { ns in
                try await Self.withLab(
                    extensions: [], pbxHost: ns.hostIP, sipPort: 5060, serveArguments: ["--pnp-interface", ns.hostInterface], asteriskFirst: true
                ) { lab in
                    #expect(try await lab.asterisk.cli("pjsip show transports").contains("0.0.0.0:5060"))
                    try await lab.asterisk.cli("pjsip set logger on")
                    // The real W52P SUBSCRIBE, byte for byte.
                    let vector = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                        .appendingPathComponent("../DiscoveryTests/Vectors/sip_pnp_subscribe_yealink_w52p_ngrep.txt").standardized.path
                    let replies = try await PnPPhone.subscribe(in: ns, vector: vector)
                    #expect(replies.count == 2)
                    #expect(replies.first?.hasPrefix("SIP/2.0 200 OK\r\n") == true)
                    #expect(replies.last?.hasPrefix("NOTIFY sip:MAC001565f4f9e1@10.1.3.239:5059 SIP/2.0\r\n") == true)
                    #expect(replies.last?.hasSuffix("\r\n\r\nhttp://\(ns.hostIP):\(lab.httpPort)/") == true)
                    // Asterisk saw nothing of it: no request logged from the phone, so no 401 racing our 200.
                    try await Task.sleep(for: .milliseconds(500))
                    let sawRequest = lab.asterisk.fullLog.contains("Received SIP request")
                    #expect(!sawRequest, "Asterisk logged a SIP request from the PnP SUBSCRIBE")
                    // The logger does log what reaches Asterisk: a unicast OPTIONS from the same phone shows up.
                    let options =
                        "OPTIONS sip:\(ns.hostIP):5060 SIP/2.0\r\nVia: SIP/2.0/UDP \(ns.phoneIP):5063;branch=z9hG4bKinterop1;rport\r\n"
                        + "Max-Forwards: 70\r\nFrom: <sip:probe@\(ns.phoneIP)>;tag=1\r\nTo: <sip:\(ns.hostIP)>\r\nCall-ID: interop-probe\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
                    try await ns.exec(
                        PnPPhone.python!,
                        [
                            "-c",
                            "import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind((sys.argv[1],5063)); s.sendto(sys.argv[3].encode(),(sys.argv[2],5060))",
                            ns.phoneIP, ns.hostIP, options,
                        ])
                    #expect(
                        await eventually(.seconds(3)) {
                            lab.asterisk.fullLog.contains("Received SIP request") && lab.asterisk.fullLog.contains("interop-probe")
                        })
                    let sawSubscribe = lab.asterisk.fullLog.contains("SUBSCRIBE sip:MAC")
                    #expect(!sawSubscribe, "Asterisk saw the PnP SUBSCRIBE")
                    try await lab.daemon.waitForLog("PnP: new phone 00:15:65:f4:f9:e1", timeout: .seconds(5))
                    try await lab.daemon.waitForLog("through a packet socket beside the port's owner", timeout: .seconds(1))
                }
            }
        }
    }

    // MARK: - 4. DECT: a W52P's second handset binds line 2

    @Test(.enabled(if: AsteriskLab.skipReason == nil, "skipped: \(AsteriskLab.skipReason ?? "")"))
    func dectHandsetTwoBindsLineTwoThroughTheRealDialplan() async throws {
        try await Self.requireLabAndTakeTurn()
        defer { Self.endTurn() }
        let mac = "00:15:65:4e:00:01"
        try await PhoneNamespace.with(phoneMAC: mac, network: 206) { ns in
            try await Self.routeToHost(ns)
            try await Self.withLab(extensions: [("400", "pw-400-interop"), ("401", "pw-401-interop")], pbxHost: ns.hostIP) { lab in
                try lab.cli(["device", "add", mac, "--model", "W52P", "--extension", "400"])
                // The base's own User-Agent: the daemon records the model a fetch reports.
                let w52p = "Yealink W52P 25.81.0.10"
                let file = try await fetchFile(ns, "http://\(ns.hostIP):\(lab.httpPort)/0015654e0001.cfg", userAgent: w52p)
                #expect(yealinkValue(file, "account.1.auth_name") == "400")
                let secret = try #require(
                    try lab.cli(["settings", "show", "--show-secrets"]).stdout.split(separator: "\n")
                        .first { $0.hasPrefix("guest-secret") }?.split(separator: " ").last.map(String.init))
                let codes = try await DECTCaller.call(
                    in: ns, host: ns.hostIP, port: lab.sipPort, user: "guest", password: secret, number: "*123*401", handset: 2
                )
                #expect(codes == "401 200 BYE", "the call went: \(codes)")
                try await lab.daemon.waitForLog("star-code bind from \(ns.phoneIP) MAC \(mac) extension 401 line 2: OK")
                let ranAGI = lab.asterisk.fullLog.contains("Executing [*123*401@autoprovision-guest:3] AGI(")
                #expect(ranAGI, "Asterisk did not run AGI for the handset's star code")
                var bound = ""
                _ = await eventually(.seconds(3)) {
                    bound = (try? await fetchFile(ns, "http://\(ns.hostIP):\(lab.httpPort)/0015654e0001.cfg", userAgent: w52p)) ?? ""
                    return yealinkValue(bound, "account.2.auth_name") != nil
                }
                #expect(yealinkValue(bound, "account.1.auth_name") == "400")
                #expect(yealinkValue(bound, "account.2.auth_name") == "401", "the file:\n\(bound)")
                #expect(yealinkValue(bound, "account.2.password") == "pw-401-interop")
            }
        }
    }
}
