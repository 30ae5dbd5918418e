import Foundation
import TestCLI
import TestNetwork
import Testing

/// `autoprovision doctor` against a real Asterisk 22 set up as the README says (the daemon keeping
/// `asterisk-conf-dir` current, our manager.conf sample's AMI user): every check passes; then each
/// fault is injected in turn, and the doctor names it on the line it belongs to and exits 1.
@Suite(.serialized) struct DoctorInteropTests {
    static let amiSecret = "doctor-ami-secret-\(UInt32.random(in: 0..<UInt32.max))"

    @Test(.enabled(if: AsteriskLab.skipReason == nil, "skipped: \(AsteriskLab.skipReason ?? "")"))
    func doctorPassesOnAGoodAsteriskAndNamesEachInjectedFault() async throws {
        try await InteropTests.requireLabAndTakeTurn()
        defer { InteropTests.endTurn() }
        let cli = try CLI()
        let asterisk = try AsteriskLab(files: [:])
        let confDirectory = "\(asterisk.etc)/autoprovision"
        let extensionsConf = AsteriskLab.extensionsConf(include: "\(confDirectory)/extensions.conf")
        let managerConf = try AsteriskLab.managerConf(secret: Self.amiSecret)
        try asterisk.write("pjsip.conf", AsteriskLab.pjsipConf(include: "\(confDirectory)/pjsip.conf", extensions: [("200", "pw-200-doctor")]))
        try asterisk.write("extensions.conf", extensionsConf)
        try asterisk.write("manager.conf", managerConf)
        let (httpPort, httpsPort, agiPort) = (freePort(in: 27000..<28500), freePort(in: 28500..<30000), freePort(in: 30000..<32768))
        for (key, value) in [
            ("sip-port", String(asterisk.sipPort)), ("asterisk-conf-dir", confDirectory), ("http-port", String(httpPort)),
            ("https-port", String(httpsPort)),
        ] {
            _ = try cli.runBlocking(["settings", "set", key, value])
        }
        let daemon = try Daemon(
            cli: cli,
            arguments: ["--agi", "127.0.0.1:\(agiPort)", "--admin", "off", "--no-pnp", "--ami", "127.0.0.1:\(asterisk.amiPort)"],
            environment: ["AUTOPROVISION_AMI_SECRET": Self.amiSecret]
        )
        defer { cli.cleanUp() }
        do {
            try await daemon.waitForLog("asterisk-conf-dir: wrote \(confDirectory)/pjsip.conf")
            try await asterisk.up()
            try await daemon.waitForLog("AMI sync:", timeout: .seconds(30))
            // As `up` left it: with the AMI port it wrote in.
            let liveManagerConf = try String(contentsOfFile: "\(asterisk.etc)/manager.conf", encoding: .utf8)
            let guestSecret = try #require(
                cli.runBlocking(["settings", "show", "--show-secrets"]).stdout.split(separator: "\n")
                    .first { $0.contains("guest-secret") }?.split(separator: " ").last.map(String.init))

            func doctor(secret: String = Self.amiSecret) async throws -> (status: Int32, lines: [String: String], output: String) {
                let result = try await cli.run(
                    ["doctor", "--ami", "127.0.0.1:\(asterisk.amiPort)", "--agi", "127.0.0.1:\(agiPort)"],
                    environment: ["AUTOPROVISION_AMI_SECRET": secret])
                step("doctor exited \(result.status):\n\(result.stdout)\(result.stderr)")
                #expect(!result.stdout.contains(guestSecret) && !result.stdout.contains(Self.amiSecret), "a secret was printed")
                var lines: [String: String] = [:]
                for line in result.stdout.split(separator: "\n").map(String.init) where line.count > 5 {
                    if let colon = line.dropFirst(5).firstIndex(of: ":") {
                        lines[String(line[line.index(line.startIndex, offsetBy: 5)..<colon])] = line
                    }
                }
                return (result.status, lines, result.stdout)
            }
            let fixUser = "add 'system' to read and write of [autoprovision] in manager.conf, then asterisk -rx 'manager reload'"
            let note = " (read from extensions.conf: reading the live dialplan needs 'reporting' in write)"

            // 1. Set up as documented: every check passes.
            let good = try await doctor()
            #expect(good.status == 0)
            #expect(!good.output.contains("FAIL"))
            #expect(good.lines["http-port"] == "ok   http-port: \(httpPort)/tcp listening: autoprovision (pid \(daemon.process.pid))")
            #expect(good.lines["agi"] == "ok   agi: \(agiPort)/tcp listening: autoprovision (pid \(daemon.process.pid))")
            #expect(good.lines["https-port"] == "ok   https-port: \(httpsPort)/tcp free: serve can listen on it")
            #expect(
                good.lines["ami-permissions"]
                    == "ok   ami-permissions: autoprovision may send PJSIPShowEndpoints, PJSIPShowEndpoint, PJSIPShowAuths, PJSIPShowContacts, PJSIPNotify and Reload"
            )
            #expect(good.lines["endpoints"] == "ok   endpoints: 1 provisionable, 0 not")
            #expect(
                good.lines["dialplan"]
                    == "ok   dialplan: autoprovision-bind sends _*123*XXX to AGI agi://127.0.0.1:\(agiPort)/bind; the guest endpoint's context autoprovision-guest includes it\(note)"
            )
            #expect(
                good.lines["guest-endpoint"]
                    == "ok   guest-endpoint: endpoint 'guest' exists, and its password is the store's guest secret (compared by SHA-256)")
            #expect(good.lines["notify"]?.hasPrefix("ok   notify: PJSIPNotify is available") == true)
            #expect(
                good.lines["asterisk-conf-dir"]
                    == "ok   asterisk-conf-dir: \(confDirectory)/extensions.conf and \(confDirectory)/pjsip.conf are current")

            // 2. A wrong AMI secret.
            let wrongSecret = try await doctor(secret: "not-the-secret")
            #expect(wrongSecret.status == 1)
            #expect(
                wrongSecret.lines["ami-login"]
                    == "FAIL ami-login: login as autoprovision refused (Authentication failed) — fix: the secret given (--ami-secret-file or "
                    + "AUTOPROVISION_AMI_SECRET) must be the secret of [autoprovision] in Asterisk's manager.conf, whose permit must allow this host; "
                    + "then asterisk -rx 'manager reload'")

            // 3. The AMI user without `system`.
            try asterisk.write("manager.conf", liveManagerConf.replacingOccurrences(of: "write = system", with: "write = call"))
            try await asterisk.cli("manager reload")
            let permissions = try await doctor()
            #expect(permissions.status == 1)
            #expect(
                permissions.lines["ami-permissions"]
                    == "FAIL ami-permissions: PJSIPShowEndpoints, PJSIPShowEndpoint, PJSIPShowAuths, PJSIPShowContacts, PJSIPNotify, Reload refused "
                    + "(Permission denied) — fix: \(fixUser)")
            #expect(permissions.lines["endpoints"] == "FAIL endpoints: PJSIPShowEndpoints failed (Permission denied) — fix: \(fixUser)")
            #expect(permissions.lines["dialplan"] == "FAIL dialplan: GetConfig extensions.conf failed (Permission denied) — fix: \(fixUser)")
            try asterisk.write("manager.conf", liveManagerConf)
            try await asterisk.cli("manager reload")

            // 4. The dialplan without our context.
            try asterisk.write("extensions.conf", "[default]\nexten => 100,1,Hangup()\n")
            try await asterisk.cli("dialplan reload")
            let dialplan = try await doctor()
            #expect(dialplan.status == 1)
            #expect(
                dialplan.lines["dialplan"]
                    == "FAIL dialplan: Asterisk's dialplan has no context autoprovision-bind\(note) — fix: add the #include lines "
                    + "'autoprovision asterisk-conf --print-includes' prints to extensions.conf and pjsip.conf, then asterisk -rx 'core reload'")
            try asterisk.write("extensions.conf", extensionsConf)
            try await asterisk.cli("dialplan reload")

            // 5. Check-sync through Asterisk impossible: res_pjsip_notify not loaded.
            try await asterisk.cli("module unload res_pjsip_notify.so")
            let notify = try await doctor()
            #expect(notify.status == 1)
            #expect(
                notify.lines["notify"]
                    == "FAIL notify: Asterisk does not know PJSIPNotify (res_pjsip_notify is not loaded): check-sync cannot go through Asterisk, "
                    + "and the daemon's own NOTIFY reaches only phones that accept it from another address than the registrar — fix: "
                    + "asterisk -rx 'module load res_pjsip_notify.so', and remove any 'noload => res_pjsip_notify.so' from modules.conf")
            try await asterisk.cli("module load res_pjsip_notify.so")

            // 6. Asterisk's guest password differs from the store's guest secret.
            let generated = try String(contentsOfFile: "\(confDirectory)/pjsip.conf", encoding: .utf8)
            try generated.replacingOccurrences(of: "password=\(guestSecret)", with: "password=edited-by-hand")
                .write(toFile: "\(confDirectory)/pjsip.conf", atomically: true, encoding: .utf8)
            // Asterisk refuses a reload while another one (the daemon's) still runs: until it takes this one.
            var reloaded = false
            for _ in 0..<50 where !reloaded {
                let said = try await asterisk.cli("module reload res_pjsip.so")
                reloaded = !["already in progress", "currently reloading", "queued", "didn't finish"].contains { said.contains($0) }
                if !reloaded { try await Task.sleep(for: .milliseconds(200)) }
            }
            let guest = try await doctor()
            #expect(guest.status == 1)
            #expect(
                guest.lines["guest-endpoint"]
                    == "FAIL guest-endpoint: endpoint 'guest' has a password different from the store's guest secret: unbound phones are given "
                    + "the store's and cannot register — fix: (re)start serve with --agi 127.0.0.1:\(agiPort): it rewrites \(confDirectory) "
                    + "where it differs and reloads Asterisk")
            #expect(guest.lines["asterisk-conf-dir"]?.hasPrefix("FAIL asterisk-conf-dir: not what the store gives") == true)
            #expect(!guest.output.contains("edited-by-hand"))
        } catch {
            await daemon.stop()
            await asterisk.remove()
            throw error
        }
        await daemon.stop()
        await asterisk.remove()
    }
}
