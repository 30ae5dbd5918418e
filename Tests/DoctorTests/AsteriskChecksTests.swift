import AMI
import Logging
import Provisioning
import ScriptedAMIServer
import Synchronization
import Testing

@testable import Doctor

/// The Asterisk checks against the scripted AMI stand-in on a real socket: a hung AMI, a refused
/// login, and the endpoint and guest findings.
@Suite struct AsteriskChecksTests {
    let logger = Logger(label: "doctor-test")

    func login(_ server: ScriptedAMIServer, secret: String = "amisecret") -> AMIConfiguration {
        AMIConfiguration(host: "127.0.0.1", port: server.port, username: "autoprovision", secret: secret)
    }

    @Test func anAMIThatNeverSpeaksFailsTheLoginWithinTheTimeout() async throws {
        let server = try await ScriptedAMIServer.start { $0.silent = true }
        defer { Task { await server.stop() } }
        let test = try TestStore()
        let started = ContinuousClock.now
        let results = await Doctor(checks: []).run(try test.context(ami: login(server)), logger: logger)
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .milliseconds(6500), "took \(elapsed)")
        #expect(results.map(\.name) == ["ami-login", "ami-permissions", "endpoints", "guest-endpoint", "dialplan", "notify"])
        let said = "AMI at 127.0.0.1:\(server.port) accepted the connection but said nothing within 5 s (AMI hung?)"
        #expect(results.first?.line.hasPrefix("FAIL ami-login: \(said) — fix: Asterisk may be hung") == true)
        for result in results.dropFirst() { #expect(result.line == "FAIL \(result.name): not checked: no AMI session (\(said))") }
    }

    @Test func anAMIThatHangsAfterLoginFailsEveryCheckWithinTheTimeout() async throws {
        let server = try await ScriptedAMIServer.start { $0.silentAfterLogin = true }
        defer { Task { await server.stop() } }
        let test = try TestStore()
        let started = ContinuousClock.now
        let results = await Doctor(checks: []).run(try test.context(ami: login(server)), logger: logger)
        let elapsed = ContinuousClock.now - started
        // Every check waits at the same time, each at most 5 s.
        #expect(elapsed < .milliseconds(6500), "took \(elapsed)")
        #expect(results.first?.line.hasPrefix("ok   ami-login: logged in to 127.0.0.1:\(server.port) as autoprovision") == true)
        let lines = Dictionary(uniqueKeysWithValues: results.map { ($0.name, $0.line) })
        #expect(lines["dialplan"] == "FAIL dialplan: Asterisk did not answer ShowDialPlan within 5 s (AMI hung?)")
        #expect(lines["notify"] == "FAIL notify: Asterisk did not answer PJSIPNotify within 5 s (AMI hung?)")
        #expect(lines["endpoints"] == "FAIL endpoints: Asterisk did not answer PJSIPShowEndpoints within 5 s (AMI hung?)")
        #expect(lines["guest-endpoint"] == "FAIL guest-endpoint: Asterisk did not answer PJSIPShowEndpoints within 5 s (AMI hung?)")
        #expect(lines["ami-permissions"]?.hasPrefix("FAIL ami-permissions: Asterisk did not answer ") == true)
        #expect(lines["ami-permissions"]?.hasSuffix(" within 5 s (AMI hung?)") == true)
    }

    @Test func aWrongSecretFailsTheLoginWithTheFix() async throws {
        let server = try await ScriptedAMIServer.start()
        defer { Task { await server.stop() } }
        let test = try TestStore()
        let results = await Doctor(checks: []).run(try test.context(ami: login(server, secret: "wrong")), logger: logger)
        #expect(
            results.first?.line
                == "FAIL ami-login: login as autoprovision refused (Authentication failed) — fix: the secret given (--ami-secret-file or "
                + "AUTOPROVISION_AMI_SECRET) must be the secret of [autoprovision] in Asterisk's manager.conf, whose permit must allow this host; "
                + "then asterisk -rx 'manager reload'")
        #expect(results.filter { $0.status == .fail }.count == 6)
    }

    @Test func endpointsAndGuestAreJudgedFromTheDirectorySync() async throws {
        let test = try TestStore()
        let guestSecret = try test.store.settings().guestSecret
        try test.store.addDevice(
            mac: try MACAddress(parsing: "00:15:65:aa:bb:01"), vendor: nil, model: nil, templateName: nil, extensionNumber: "203", actor: "test")
        let server = try await ScriptedAMIServer.start { state in
            state.endpoints = [
                .init(name: "201", password: "pw-201"), .init(name: "202", password: "pw-202"), .init(name: "203", password: "", authType: "md5"),
                .init(name: "guest", password: guestSecret),
            ]
        }
        defer { Task { await server.stop() } }
        let doctor = Doctor(checks: [], asteriskChecks: [EndpointsCheck(), GuestEndpointCheck()])
        let results = await doctor.run(try test.context(ami: login(server)), logger: logger)
        #expect(
            results[1].line
                == "FAIL endpoints: 2 provisionable, 1 not: 203 (auth '203-auth' is md5: Asterisk holds no plaintext password to give the phone); "
                + "bound phones that get no account: 001565aabb01 line 1 on 203 (auth '203-auth' is md5: Asterisk holds no plaintext password to give the phone)"
                + " — fix: give those endpoints an inbound auth with auth_type=userpass and a password, or bind the phones to other extensions")
        #expect(
            results[2].line == "ok   guest-endpoint: endpoint 'guest' exists, and its password is the store's guest secret (compared by SHA-256)")
        // Only the sync's PJSIPShowEndpoints went out, though two checks read it.
        #expect(server.received("PJSIPShowEndpoints").count == 1)

        server.state.withLock { $0.endpoints[3].password = "something-else" }
        let changed = await doctor.run(try test.context(ami: login(server)), logger: logger)
        #expect(changed[2].status == .fail)
        #expect(
            changed[2].message
                == "endpoint 'guest' has a password different from the store's guest secret: unbound phones are given the store's and cannot register"
        )
        #expect(!changed.contains { $0.line.contains(guestSecret) || $0.line.contains("something-else") })
        server.state.withLock { _ = $0.endpoints.removeLast() }
        let gone = await doctor.run(try test.context(ami: login(server)), logger: logger)
        #expect(gone[2].line.hasPrefix("FAIL guest-endpoint: Asterisk has no endpoint 'guest': unbound phones cannot register — fix: "))
    }

    @Test func dialplanFromGetConfig() {
        let config = AMIMessage([
            ("Response", "Success"), ("Category-000000", "default"), ("Line-000000-000000", "include=autoprovision-bind"),
            ("Category-000001", "autoprovision-bind"),
            ("Line-000001-000000", "exten=_*123*XXX,1,NoOp(autoprovision star-code bind ${EXTEN})"),
            ("Line-000001-000001", "same=n,Answer()"),
            ("Line-000001-000002", "same=n,AGI(agi://127.0.0.1:4573/bind,${EXTEN:5},\"${PJSIP_HEADER(read,Via)}\")"),
            ("Category-000002", "autoprovision-hints"),
        ])
        let contexts = DialplanView.parse(config: config)
        #expect(contexts["default"]?.includes == ["autoprovision-bind"])
        #expect(contexts["autoprovision-hints"] == DialplanView.Context())
        let agi = contexts["autoprovision-bind"]?.priorities.last
        #expect(agi?.exten == "_*123*XXX")
        #expect(agi?.application == "AGI")
        #expect(agi?.data == "agi://127.0.0.1:4573/bind,${EXTEN:5},\"${PJSIP_HEADER(read,Via)}\"")
    }
}
