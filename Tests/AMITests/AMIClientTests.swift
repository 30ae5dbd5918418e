import Foundation
import Logging
import Provisioning
import ScriptedAMIServer
import ServiceLifecycle
import Synchronization
import Testing

@testable import AMI

/// The AMI client against a scripted Asterisk on a real socket.
@Suite struct AMIClientTests {
    let logger = Logger(label: "ami-test")

    func configuration(_ server: ScriptedAMIServer, secret: String = "amisecret") -> AMIConfiguration {
        var configuration = AMIConfiguration(host: "127.0.0.1", port: server.port, username: "autoprovision", secret: secret)
        // Generous: other suites (a browser among them) share the 2 cores; these tests check what is said, not how fast.
        configuration.connectTimeout = .seconds(3)
        configuration.requestTimeout = .seconds(10)
        configuration.backoff = (.milliseconds(100), .milliseconds(400))
        return configuration
    }

    static let endpoints = [
        ScriptedAMIServer.Endpoint(name: "201", password: "pw-201", callerID: "\"Irina Smirnova\" <201>", contacts: ["sip:201@192.0.2.31:5060"]),
        ScriptedAMIServer.Endpoint(name: "202", username: "auth202", password: "pw-202", callerID: "<unknown>"),
        ScriptedAMIServer.Endpoint(name: "203", password: "", authType: "md5"),
        ScriptedAMIServer.Endpoint(
            name: "guest", password: "guestpw", contacts: ["sip:guest@192.0.2.40:5060", "sip:guest@192.0.2.41:5062;ob"]),
    ]

    @Test func md5LoginUsesTheChallenge() async throws {
        let server = try await ScriptedAMIServer.start()
        defer { Task { await server.stop() } }
        let version = try await AMIConnector.withSession(configuration(server), logger: logger) { session in await session.version }
        #expect(version == "11.0.0")
        let login = try #require(server.received("Login").first)
        #expect(login["AuthType"] == "MD5")
        #expect(login["Key"] == AMILoginKey.key(challenge: "186191623", secret: "amisecret"))
        #expect(login["Secret"] == nil)
    }

    @Test func plainLoginWhereThereIsNoChallenge() async throws {
        let server = try await ScriptedAMIServer.start {
            $0.supportsChallenge = false
            $0.bannerVersion = "1.2"
        }
        defer { Task { await server.stop() } }
        _ = try await AMIConnector.withSession(configuration(server), logger: logger) { _ in true }
        #expect(server.received("Login").first?["Secret"] == "amisecret")
    }

    @Test func refusedLoginIsAClearError() async throws {
        let server = try await ScriptedAMIServer.start()
        defer { Task { await server.stop() } }
        await #expect(throws: AMIClientError.authenticationFailed("Authentication failed")) {
            try await AMIConnector.withSession(configuration(server, secret: "wrong"), logger: logger) { _ in true }
        }
    }

    @Test func aServerThatNeverSpeaksTimesOut() async throws {
        let server = try await ScriptedAMIServer.start { $0.silent = true }
        defer { Task { await server.stop() } }
        let started = ContinuousClock.now
        await #expect(throws: AMIClientError.noBanner) {
            try await AMIConnector.withSession(configuration(server), logger: logger) { _ in true }
        }
        // The banner timeout is 3 s; the bound is loose because the test machine may be busy.
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    @Test func fullSyncMapsEndpointsToCredentials() async throws {
        let server = try await ScriptedAMIServer.start { $0.endpoints = Self.endpoints }
        defer { Task { await server.stop() } }
        let directory = try await AMIConnector.withSession(configuration(server), logger: logger) { session in
            try await AMIDirectorySync.fullSync(session)
        }
        #expect(
            directory.endpoints["201"]?.credentials
                == SIPCredentials(extensionNumber: "201", authUsername: "201", password: "pw-201", displayName: "Irina Smirnova"))
        #expect(
            directory.endpoints["202"]?.credentials
                == SIPCredentials(extensionNumber: "202", authUsername: "auth202", password: "pw-202", displayName: "202"))
        #expect(directory.endpoints["203"]?.credentials == nil)
        #expect(directory.endpoints["203"]?.problem?.contains("md5") == true)
        #expect(directory.endpoints["guest"]?.contacts == ["sip:guest@192.0.2.40:5060", "sip:guest@192.0.2.41:5062;ob"])
        #expect(directory.refused.map(\.name) == ["203"])
    }

    @Test func noEndpointsIsAnEmptyDirectory() async throws {
        let server = try await ScriptedAMIServer.start()
        defer { Task { await server.stop() } }
        let directory = try await AMIConnector.withSession(configuration(server), logger: logger) { session in
            try await AMIDirectorySync.fullSync(session)
        }
        #expect(directory.endpoints.isEmpty)
    }

    /// Runs the daemon's client service around `body`.
    func withClient(
        _ server: ScriptedAMIServer, bootWait: Duration = .seconds(10), _ body: (AMICredentialSource) async throws -> Void
    ) async throws {
        let source = AMICredentialSource()
        var configuration = configuration(server)
        configuration.syncInterval = .seconds(3600)
        configuration.bootWait = bootWait
        let client = AMIClient(configuration: configuration, credentials: source, logger: logger)
        let group = ServiceGroup(services: [client], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body(source)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    // Generous: other suites run at the same time on a 2-core machine; this checks that it happens, not how fast.
    func eventually(_ what: String, within: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for: \(what)")
    }

    @Test func beforeTheFirstSyncPhonesGet503() async throws {
        let source = AMICredentialSource()
        await #expect(throws: CredentialSourceError.self) { try await source.credentials(for: ["201"]) }
        // Through the renderer: a bound phone is answered 503, never with an empty password.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ami-503-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try ProvisioningStore(path: directory.appendingPathComponent("db.sqlite").path, defaultHost: "192.0.2.10")
        try store.addDevice(mac: MACAddress(parsing: "001565aabbcc"), vendor: nil, model: nil, templateName: nil, extensionNumber: "201", actor: "t")
        let snapshot = try await SnapshotBuilder(store: store, credentials: source).build(logger: logger).0
        guard case .unavailable(let reason, _) = snapshot.answer(path: "/001565aabbcc.cfg", userAgent: nil, remoteIP: nil) else {
            Issue.record("expected 503 before the first sync")
            return
        }
        #expect(reason.contains("not yet synced"))
        // After a sync, the md5 endpoint stays 503 while a userpass one is served.
        source.update(
            AMIDirectory(endpoints: [
                "201": .init(
                    name: "201", credentials: SIPCredentials(extensionNumber: "201", authUsername: "201", password: "pw", displayName: "A"),
                    problem: nil, contacts: []),
                "203": .init(name: "203", credentials: nil, problem: "md5", contacts: []),
            ]))
        try store.bind(mac: MACAddress(parsing: "001565aabbcc"), extensionNumber: "203", line: 2, actor: "t")
        let after = try await SnapshotBuilder(store: store, credentials: source).build(logger: logger).0
        guard case .unavailable = after.answer(path: "/001565aabbcc.cfg", userAgent: nil, remoteIP: nil) else {
            Issue.record("a phone with an md5-auth line must get 503")
            return
        }
    }

    @Test func aRefusedActionNamesThePermissionItNeeds() {
        let refused = AMIClientError.actionFailed(action: "PJSIPShowAuths", message: "Permission denied")
        #expect(
            refused.description
                == "AMI action PJSIPShowAuths failed: Permission denied (the AMI user needs write = system in manager.conf, unless Asterisk is still booting)"
        )
        #expect(
            AMIClientError.actionFailed(action: "PJSIPShowEndpoints", message: "No endpoints").description
                == "AMI action PJSIPShowEndpoints failed: No endpoints")
    }

    /// A phone that registers while a sync is in flight: the sync's listing predates it, its ContactStatus does not.
    @Test func contactChangesDuringASyncSurviveIt() {
        let source = AMICredentialSource()
        let empty = AMIDirectory(endpoints: ["guest": .init(name: "guest", credentials: nil, problem: nil, contacts: [])])
        source.update(empty)
        source.syncStarted()
        source.contactChanged(endpoint: "guest", uri: "sip:guest@192.0.2.41:5062;ob", status: "Created")
        source.contactChanged(endpoint: "guest", uri: "sip:guest@192.0.2.40:5060", status: "Created")
        source.contactChanged(endpoint: "guest", uri: "sip:guest@192.0.2.40:5060", status: "Removed")
        source.update(empty)
        #expect(source.directory?.endpoints["guest"]?.contacts == ["sip:guest@192.0.2.41:5062;ob"])
        // Outside a sync nothing is replayed: the next listing is the truth.
        source.update(empty)
        #expect(source.directory?.endpoints["guest"]?.contacts == [])
    }

    /// Asterisk takes logins while it boots and refuses the PJSIP actions until it has booted:
    /// the client waits for FullyBooted instead of failing and reconnecting.
    @Test func theFirstSyncWaitsForAsteriskToHaveBooted() async throws {
        let server = try await ScriptedAMIServer.start {
            $0.endpoints = Self.endpoints
            $0.booting = true
        }
        defer { Task { await server.stop() } }
        try await withClient(server, bootWait: .seconds(60)) { source in
            try await eventually("login") { server.state.withLock { $0.logins } >= 1 }
            try await Task.sleep(for: .milliseconds(500))
            #expect(server.received("PJSIPShowEndpoints").isEmpty, "an action was sent before Asterisk had booted")
            #expect(source.directory == nil)
            server.finishBooting()
            try await eventually("sync after FullyBooted") { (try? await source.credentials(for: ["201"]))?["201"]?.password == "pw-201" }
            #expect(server.state.withLock { $0.logins } == 1, "the client reconnected instead of waiting")
            #expect(source.lastError == nil)
        }
    }

    /// An AMI user without `read = system` never gets FullyBooted: the first sync still happens, after the boot wait.
    @Test func withoutSystemEventsTheFirstSyncFollowsTheBootWait() async throws {
        let server = try await ScriptedAMIServer.start {
            $0.endpoints = Self.endpoints
            $0.systemEvents = false
        }
        defer { Task { await server.stop() } }
        try await withClient(server, bootWait: .milliseconds(300)) { source in
            try await eventually("login") { server.state.withLock { $0.logins } >= 1 }
            let loggedIn = ContinuousClock.now
            try await eventually("sync after the boot wait") { (try? await source.credentials(for: ["201"]))?["201"] != nil }
            #expect(ContinuousClock.now - loggedIn >= .milliseconds(250))
            #expect(server.received("PJSIPShowEndpoints").count == 1)
        }
    }

    @Test func reloadEventPicksUpAChangedPassword() async throws {
        let server = try await ScriptedAMIServer.start { $0.endpoints = Self.endpoints }
        defer { Task { await server.stop() } }
        try await withClient(server) { source in
            try await eventually("first sync") { (try? await source.credentials(for: ["201"]))?["201"]?.password == "pw-201" }
            server.state.withLock { $0.endpoints[0].password = "changed-201" }
            server.emit([("Event", "Reload"), ("Privilege", "system,all"), ("Module", "res_pjsip.so"), ("Status", "0")])
            try await eventually("password change after Reload") { (try? await source.credentials(for: ["201"]))?["201"]?.password == "changed-201" }
        }
    }

    @Test func reconnectsAfterTheServerDropsAndRestarts() async throws {
        let server = try await ScriptedAMIServer.start { $0.endpoints = Self.endpoints }
        defer { Task { await server.stop() } }
        try await withClient(server) { source in
            try await eventually("first sync") { (try? await source.credentials(for: ["201"]))?["201"] != nil }
            server.dropMidMessage()
            try await eventually("reconnect") { server.state.withLock { $0.logins } >= 2 }
            // An Asterisk restart: connection gone, new passwords, new banner.
            server.state.withLock { state in
                state.bannerVersion = "12.0.0"
                for index in state.endpoints.indices { state.endpoints[index].password += "-new" }
            }
            server.dropAll()
            try await eventually("new passwords after restart") { (try? await source.credentials(for: ["201"]))?["201"]?.password == "pw-201-new" }
            #expect(source.lastError == nil)
        }
    }

    @Test func aFailedResyncKeepsTheLastGoodSet() async throws {
        let server = try await ScriptedAMIServer.start { $0.endpoints = Self.endpoints }
        try await withClient(server) { source in
            try await eventually("first sync") { (try? await source.credentials(for: ["201"]))?["201"] != nil }
            await server.stop()
            try await eventually("failure noted") { source.lastError != nil }
            #expect(try await source.credentials(for: ["201"])["201"]?.password == "pw-201")
        }
    }
}
