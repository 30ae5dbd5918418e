import Logging
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
            return await CheckSyncNotifier(logger: logger).notify(phoneIP: phoneIP, session: session, directory: directory) { host, port, user in
                directSend.list.withLock { $0.append("\(user ?? "-")@\(host):\(port)") }
            }
        }
        return (outcome, server.received("PJSIPNotify"))
    }

    @Test func aSingleContactEndpointIsNotifiedByName() async throws {
        let direct = DirectSends()
        let (outcome, sent) = try await run(phoneIP: "192.0.2.31", directSend: direct)
        #expect(outcome == .sentThroughAsterisk(target: "Endpoint: 201"))
        #expect(sent.count == 1)
        #expect(sent.first?.headers.map { "\($0.name): \($0.value)" }.filter { !$0.hasPrefix("ActionID") }
            == ["Action: PJSIPNotify", "Endpoint: 201", "Variable: Event=check-sync;reboot=true"])
        #expect(direct.list.withLock { $0 }.isEmpty)
    }

    @Test func aSharedEndpointIsNotifiedOnlyAtThePhonesOwnContact() async throws {
        let direct = DirectSends()
        let (outcome, sent) = try await run(phoneIP: "192.0.2.41", directSend: direct)
        #expect(outcome == .sentThroughAsterisk(target: "URI: sip:guest@192.0.2.41:5062;ob"))
        #expect(sent.first?["Endpoint"] == nil)
        #expect(sent.first?["URI"] == "sip:guest@192.0.2.41:5062;ob")
        #expect(sent.first?["Variable"] == "Event=check-sync;reboot=true")
    }

    @Test func fallsBackToADirectNotifyWhenAsteriskCannot() async throws {
        let direct = DirectSends()
        let (outcome, _) = try await run(phoneIP: "192.0.2.41", notifyError: "Unable to retrieve endpoint", directSend: direct)
        #expect(outcome == .sentDirectly(address: "192.0.2.41:5062"))
        #expect(direct.list.withLock { $0 } == ["guest@192.0.2.41:5062"])
        let unknown = DirectSends()
        let (unregistered, sent) = try await run(phoneIP: "192.0.2.99", directSend: unknown)
        #expect(unregistered == .sentDirectly(address: "192.0.2.99:5060"))
        #expect(sent.isEmpty)
        let (noAddress, _) = try await run(phoneIP: nil, directSend: unknown)
        guard case .failed = noAddress else {
            Issue.record("a phone with no known address cannot be notified")
            return
        }
    }

    @Test func directNotifyIsWellFormed() {
        let text = SIPCheckSyncSender.request(host: "192.0.2.41", port: 5062, user: "guest", localHost: "192.0.2.10", localPort: 40000, token: "abc")
        #expect(text.hasPrefix("NOTIFY sip:guest@192.0.2.41:5062 SIP/2.0\r\n"))
        #expect(text.contains("\r\nEvent: check-sync;reboot=true\r\n"))
        #expect(text.contains("\r\nVia: SIP/2.0/UDP 192.0.2.10:40000;branch=z9hG4bKabc;rport\r\n"))
        #expect(text.hasSuffix("Content-Length: 0\r\n\r\n"))
    }

    @Test func contactParts() {
        #expect(AMIDirectory.host(ofContact: "sip:201@192.0.2.31:5060;ob") == "192.0.2.31")
        #expect(AMIDirectory.host(ofContact: "sip:192.0.2.31") == "192.0.2.31")
        #expect(AMIDirectory.host(ofContact: "sip:201@[2001:db8::1]:5060") == "2001:db8::1")
        #expect(CheckSyncNotifier.port(ofContact: "sip:201@192.0.2.31:5062;ob") == 5062)
        #expect(CheckSyncNotifier.port(ofContact: "sip:201@192.0.2.31") == nil)
        #expect(CheckSyncNotifier.user(ofContact: "sip:201@192.0.2.31") == "201")
        #expect(AMIDirectory.callerIDName("\"Irina Smirnova\" <203>") == "Irina Smirnova")
        #expect(AMIDirectory.callerIDName("<unknown>") == nil)
        #expect(AMIDirectory.contactURIs("a/sip:1@h:1,b/sip:2@h:2,") == ["sip:1@h:1", "sip:2@h:2"])
    }
}

final class DirectSends: Sendable {
    let list = Mutex<[String]>([])
}
