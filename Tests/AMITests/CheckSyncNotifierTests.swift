import Logging
import Provisioning
import ScriptedAMIServer
import Synchronization
import Testing

@testable import AMI

@Suite struct CheckSyncNotifierTests {
    let logger = Logger(label: "notify-test")

    func run(phoneIP: String?, notifyError: String? = nil, directSend: DirectSends) async throws -> (NotifyOutcome, [AMIMessage]) {
        let server = try await ScriptedAMIServer.start {
            $0.endpoints = AMIClientTests.endpoints
            $0.notifyError = notifyError
        }
        defer { Task { await server.stop() } }
        var configuration = AMIConfiguration(host: "127.0.0.1", port: server.port, username: "autoprovision", secret: "amisecret")
        configuration.requestTimeout = .seconds(10)
        let outcome = try await AMIConnector.withSession(configuration, logger: logger) { session in
            let directory = try await AMIDirectorySync.fullSync(session)
            return await CheckSyncNotifier(logger: logger).notify(phoneIP: phoneIP, session: session, directory: directory) { target in
                directSend.list.withLock { $0.append(target) }
                if let failure = directSend.failure { throw failure }
                return "200 OK"
            }
        }
        return (outcome, server.received("PJSIPNotify"))
    }

    @Test func aSingleContactEndpointIsNotifiedByName() async throws {
        let direct = DirectSends()
        let (outcome, sent) = try await run(phoneIP: "192.0.2.31", directSend: direct)
        #expect(outcome == .sentThroughAsterisk(target: "Endpoint: 201"))
        #expect(sent.count == 1)
        #expect(
            sent.first?.headers.map { "\($0.name): \($0.value)" }.filter { !$0.hasPrefix("ActionID") }
                == ["Action: PJSIPNotify", "Endpoint: 201", "Variable: Event=check-sync;reboot=true"])
        #expect(direct.list.withLock { $0 }.isEmpty)
    }

    /// Asterisk would notify every phone on the guest account by `Endpoint:`, and drops a `URI:` NOTIFY
    /// without a default outbound endpoint while answering "NOTIFY sent": the daemon sends it itself.
    @Test func aSharedEndpointIsNotifiedByTheDaemonAtThePhonesOwnContactOnly() async throws {
        let direct = DirectSends()
        let (outcome, sent) = try await run(phoneIP: "192.0.2.41", directSend: direct)
        #expect(outcome == .sentDirectly(address: "192.0.2.41:5062"))
        #expect(sent.isEmpty, "no PJSIPNotify, neither Endpoint: guest nor URI:")
        let targets = direct.list.withLock { $0 }
        #expect(targets.map(\.uri) == ["sip:guest@192.0.2.41:5062;ob"])
        #expect(targets.first?.host == "192.0.2.41")
        #expect(targets.first?.port == 5062)
        #expect(targets.first?.credentials?.authUsername == "guest")
        #expect(targets.first?.credentials?.password == "guestpw")
    }

    @Test func theDaemonSendsItselfWhenAsteriskCannot() async throws {
        let direct = DirectSends()
        let (outcome, _) = try await run(phoneIP: "192.0.2.31", notifyError: "Unable to retrieve endpoint", directSend: direct)
        #expect(outcome == .sentDirectly(address: "192.0.2.31:5060"))
        #expect(direct.list.withLock { $0 }.map(\.uri) == ["sip:201@192.0.2.31:5060"])
        let unknown = DirectSends()
        let (unregistered, sent) = try await run(phoneIP: "192.0.2.99", directSend: unknown)
        #expect(unregistered == .sentDirectly(address: "192.0.2.99:5060"))
        #expect(unknown.list.withLock { $0 }.first?.credentials == nil)
        #expect(sent.isEmpty)
        let (noAddress, _) = try await run(phoneIP: nil, directSend: unknown)
        guard case .failed = noAddress else {
            Issue.record("a phone with no known address cannot be notified")
            return
        }
    }

    /// A phone that registered while a sync was in flight is missing from the directory: Asterisk is asked for its contacts.
    @Test func aContactMissingFromTheDirectoryIsLookedUpInAsterisk() async throws {
        let server = try await ScriptedAMIServer.start { $0.endpoints = AMIClientTests.endpoints }
        defer { Task { await server.stop() } }
        let configuration = AMIConfiguration(host: "127.0.0.1", port: server.port, username: "autoprovision", secret: "amisecret")
        let direct = DirectSends()
        let outcome = try await AMIConnector.withSession(configuration, logger: logger) { session in
            var directory = try await AMIDirectorySync.fullSync(session)
            directory.endpoints["guest"]?.contacts = []
            return await CheckSyncNotifier(logger: logger).notify(phoneIP: "192.0.2.41", session: session, directory: directory) { target in
                direct.list.withLock { $0.append(target) }
                return "200 OK"
            }
        }
        #expect(outcome == .sentDirectly(address: "192.0.2.41:5062"))
        #expect(direct.list.withLock { $0 }.map(\.uri) == ["sip:guest@192.0.2.41:5062;ob"])
        #expect(direct.list.withLock { $0 }.first?.credentials?.password == "guestpw")
        #expect(server.received("PJSIPShowContacts").count == 1)
    }

    @Test func aPhoneThatDoesNotAnswerIsAFailureNamingWhy() async throws {
        let direct = DirectSends(failure: TestFailure(description: "no answer from 192.0.2.41:5062 within 4 s"))
        let (outcome, _) = try await run(phoneIP: "192.0.2.41", directSend: direct)
        guard case .failed(let reason) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(reason.contains("endpoint guest has 2 contacts"))
        #expect(reason.contains("no answer from 192.0.2.41:5062"))
    }

    @Test func contactParts() {
        #expect(AMIDirectory.host(ofContact: "sip:201@192.0.2.31:5060;ob") == "192.0.2.31")
        #expect(AMIDirectory.host(ofContact: "sip:192.0.2.31") == "192.0.2.31")
        #expect(AMIDirectory.host(ofContact: "sip:201@[2001:db8::1]:5060") == "2001:db8::1")
        #expect(CheckSyncNotifier.port(ofContact: "sip:201@192.0.2.31:5062;ob") == 5062)
        #expect(CheckSyncNotifier.port(ofContact: "sip:201@192.0.2.31") == nil)
        #expect(AMIDirectory.callerIDName("\"Irina Smirnova\" <203>") == "Irina Smirnova")
        #expect(AMIDirectory.callerIDName("<unknown>") == nil)
        #expect(AMIDirectory.contactURIs("a/sip:1@h:1,b/sip:2@h:2,") == ["sip:1@h:1", "sip:2@h:2"])
    }
}

final class DirectSends: Sendable {
    let list = Mutex<[CheckSyncTarget]>([])
    let failure: TestFailure?

    init(failure: TestFailure? = nil) {
        self.failure = failure
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
}
