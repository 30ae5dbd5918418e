import Foundation
import Logging
import MetricsTestKit
import Provisioning
import ScriptedAGIClient
import ServiceLifecycle
import Synchronization
import Testing

@testable import AGI

final class Reboots: Sendable {
    let macs = Mutex<[MACAddress]>([])
}

/// The `/bind` script over real TCP, with a neighbour table file of the test's own.
@Suite struct StarCodeBindTests {
    let logger = Logger(label: "agi-test")

    struct Fixture {
        var store: ProvisioningStore
        var directory: URL
        var arpPath: String
        let reboots = Reboots()
    }

    static let arpHeader = "IP address       HW type     Flags       HW address            Mask     Device\n"

    func fixture(
        arp: String = "192.0.2.31       0x1         0x2         00:15:65:12:34:56     *        eth0\n"
            + "192.0.2.32       0x1         0x0         00:00:00:00:00:00     *        eth0\n"
            + "192.0.2.33       0x1         0x2         00:04:13:aa:bb:01     *        eth0\n"
    ) throws -> Fixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try ProvisioningStore(path: directory.appendingPathComponent("db.sqlite").path, defaultHost: "192.0.2.10")
        try store.saveAccount(AccountRecord(extensionNumber: "201", authUsername: "201", password: "pw-201", displayName: "Irina"))
        try store.saveAccount(AccountRecord(extensionNumber: "202", authUsername: "202", password: "pw-202", displayName: "Boris"))
        let arpPath = directory.appendingPathComponent("arp").path
        try (Self.arpHeader + arp).write(toFile: arpPath, atomically: true, encoding: .utf8)
        return Fixture(store: store, directory: directory, arpPath: arpPath)
    }

    func withServer(
        _ fixture: Fixture, neighbours: NeighbourTable? = nil, limiter: BindRateLimiter = BindRateLimiter(), sessionTimeout: Duration = .seconds(5),
        metrics: BindMetrics = BindMetrics(), _ body: (Int) async throws -> Void
    ) async throws {
        let reboots = fixture.reboots
        let script = StarCodeBindScript(
            store: fixture.store, credentials: LocalAccountCredentialSource(store: fixture.store),
            neighbours: neighbours ?? NeighbourTable(arpPath: fixture.arpPath, ipCommand: nil, provoke: false), limiter: limiter, logger: logger,
            rebootDelay: .zero, metrics: metrics
        ) { mac in reboots.macs.withLock { $0.append(mac) } }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = FastAGIServer(host: "127.0.0.1", port: 0, scripts: ["bind": script], logger: logger, sessionTimeout: sessionTimeout) {
            continuation.yield($0)
        }
        let group = ServiceGroup(services: [server], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            try await body(port)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<100 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test func okBindsAuditsAndRebootsExactlyThatPhone() async throws {
        let fixture = try fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        try fixture.store.addDevice(
            mac: MACAddress(parsing: "001565999999"), vendor: nil, model: nil, templateName: nil, extensionNumber: nil, actor: "t")
        try await withServer(fixture) { port in
            let asterisk = FakeAsterisk(variables: ["CHANNEL(pjsip,remote_addr)": "192.0.2.31:5060"])
            let session = try await asterisk.run(port: port, environment: FakeAsterisk.environment(extension: "*123*201"))
            #expect(session.setVariables["PROVISION_STATUS"] == "OK")
            #expect(session.commands.first == #"GET VARIABLE "CHANNEL(pjsip,remote_addr)""#)
            let mac = try MACAddress(parsing: "00:15:65:12:34:56")
            #expect(try await eventually { fixture.reboots.macs.withLock { $0 } == [mac] })
        }
        let device = try #require(try fixture.store.device(mac: MACAddress(parsing: "001565123456")))
        #expect(device.lines.map { "\($0.line):\($0.extensionNumber)" } == ["1:201"])
        #expect(device.effectiveVendor == .yealink)
        #expect(device.device.lastIP == "192.0.2.31")
        let audit = try #require(try fixture.store.auditLog().first)
        #expect(audit.action == "bind")
        #expect(audit.actor == "agi")
        #expect(audit.extensionNumber == "201")
        #expect(audit.detail == "caller 192.0.2.31 (channel): OK")
        #expect(try fixture.store.device(mac: MACAddress(parsing: "001565999999"))?.lines.isEmpty == true)
    }

    @Test func everyOtherStatus() async throws {
        let fixture = try fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        try fixture.store.set(.macBlacklist, to: "00:04:13:aa:bb:01")
        let metrics = TestMetrics()
        try await withServer(fixture, metrics: BindMetrics(factory: metrics)) { port in
            let cases: [(variables: [String: String], environment: String, status: String)] = [
                // Not following the template, and an extension without credentials.
                (["CHANNEL(pjsip,remote_addr)": "192.0.2.31:5060"], FakeAsterisk.environment(extension: "*123*2011"), "EXTEN_NOT_FOUND"),
                (["CHANNEL(pjsip,remote_addr)": "192.0.2.31:5060"], FakeAsterisk.environment(extension: "*123*299"), "EXTEN_NOT_FOUND"),
                // An incomplete neighbour entry (zero MAC), an address with no entry, and one that is no address.
                (["CHANNEL(pjsip,remote_addr)": "192.0.2.32:5060"], FakeAsterisk.environment(extension: "*123*201"), "PHONE_NOT_FOUND"),
                (["CHANNEL(pjsip,remote_addr)": "192.0.2.99:5060"], FakeAsterisk.environment(extension: "*123*201"), "PHONE_NOT_FOUND"),
                (["CHANNEL(pjsip,remote_addr)": "not-an-ip:5060"], FakeAsterisk.environment(extension: "*123*201"), "PHONE_NOT_FOUND"),
                // The blacklist.
                (["CHANNEL(pjsip,remote_addr)": "192.0.2.33:5060"], FakeAsterisk.environment(extension: "*123*201"), "DENIED"),
                // No extension at all.
                (["CHANNEL(pjsip,remote_addr)": "192.0.2.31:5060"], FakeAsterisk.environment(extension: ""), "ERROR"),
                // An unknown script path.
                ([:], FakeAsterisk.environment(extension: "*123*201", script: "nonsense"), "ERROR"),
            ]
            for item in cases {
                let session = try await FakeAsterisk(variables: item.variables).run(port: port, environment: item.environment)
                #expect(session.setVariables["PROVISION_STATUS"] == item.status, "\(item.environment.split(separator: "\n")[17]) \(item.variables)")
            }
        }
        #expect(fixture.reboots.macs.withLock { $0 }.isEmpty)
        let refusals = try fixture.store.auditLog().filter { $0.action == "bind-refused" }
        #expect(refusals.count == 7)
        // Each bind counted under its PROVISION_STATUS; the unknown script is no bind.
        let counted = try ProvisionStatus.allCases.map {
            "\($0.rawValue)=\(try metrics.expectCounter("autoprovision_agi_binds_total", [("status", $0.rawValue)]).totalValue)"
        }
        #expect(counted == ["OK=0", "EXTEN_NOT_FOUND=2", "PHONE_NOT_FOUND=3", "DENIED=1", "ERROR=1"])
        #expect(refusals.contains { $0.detail == "caller 192.0.2.33: DENIED, MAC is on the blacklist" && $0.mac == "000413aabb01" })
        #expect(try fixture.store.devices().isEmpty)
    }

    @Test func viaHeaderAndArgumentsAndTheRebindRule() async throws {
        let fixture = try fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        try await withServer(fixture) { port in
            // No channel address: the Via header's received= wins over its sent-by host.
            let via = "SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bK776asdhds;received=192.0.2.31;rport=5060"
            let first = try await FakeAsterisk().run(port: port, environment: FakeAsterisk.environment(extension: "s", arguments: ["201", via]))
            #expect(first.setVariables["PROVISION_STATUS"] == "OK")
            // Now bound: a Via-only claim on the same phone must not re-bind it...
            let takeover = try await FakeAsterisk().run(port: port, environment: FakeAsterisk.environment(extension: "s", arguments: ["202", via]))
            #expect(takeover.setVariables["PROVISION_STATUS"] == "DENIED")
            // ...but a call from the phone itself may.
            let own = try await FakeAsterisk(variables: ["CHANNEL(pjsip,remote_addr)": "192.0.2.31:5060"])
                .run(port: port, environment: FakeAsterisk.environment(extension: "*123*202"))
            #expect(own.setVariables["PROVISION_STATUS"] == "OK")
        }
        #expect(try fixture.store.device(mac: MACAddress(parsing: "001565123456"))?.lines.map(\.extensionNumber) == ["202"])
    }

    @Test func dectHandsetLineComesFromTheCallID() async throws {
        let fixture = try fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        try fixture.store.addDevice(
            mac: MACAddress(parsing: "001565123456"), vendor: .yealink, model: "W52P", templateName: nil, extensionNumber: nil, actor: "t")
        try await withServer(fixture) { port in
            let asterisk = FakeAsterisk(variables: [
                "CHANNEL(pjsip,remote_addr)": "192.0.2.31:5060", "CHANNEL(pjsip,call-id)": "2_47643482@192.0.2.31",
            ])
            let session = try await asterisk.run(port: port, environment: FakeAsterisk.environment(extension: "*123*202"))
            #expect(session.setVariables["PROVISION_STATUS"] == "OK")
        }
        #expect(try fixture.store.device(mac: MACAddress(parsing: "001565123456"))?.lines.map { "\($0.line):\($0.extensionNumber)" } == ["3:202"])
        #expect(StarCodeBindScript.isDECTBase(model: "W52P"))
        #expect(!StarCodeBindScript.isDECTBase(model: "T46S"))
        #expect(StarCodeBindScript.line(fromCallID: "0_47643482@h") == 1)
        #expect(StarCodeBindScript.line(fromCallID: "47643482@h") == nil)
    }

    @Test func aHangupMidSessionAndTheRateLimit() async throws {
        let fixture = try fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        try await withServer(fixture, limiter: BindRateLimiter(limit: 2, window: .seconds(60))) { port in
            var asterisk = FakeAsterisk(variables: ["CHANNEL(pjsip,remote_addr)": "192.0.2.31:5060"])
            asterisk.hangupBeforeCommand = 0
            let session = try await asterisk.run(port: port, environment: FakeAsterisk.environment(extension: "*123*201"))
            #expect(session.setVariables["PROVISION_STATUS"] == "OK")
            asterisk.hangupBeforeCommand = nil
            _ = try await asterisk.run(port: port, environment: FakeAsterisk.environment(extension: "*123*201"))
            let third = try await asterisk.run(port: port, environment: FakeAsterisk.environment(extension: "*123*201"))
            #expect(third.setVariables["PROVISION_STATUS"] == "DENIED")
        }
    }

    @Test func aClientThatSendsNothingIsClosed() async throws {
        let fixture = try fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        try await withServer(fixture, sessionTimeout: .milliseconds(300)) { port in
            let started = ContinuousClock.now
            // Half an environment block, then silence: the server must hang up on its own.
            let session = try await FakeAsterisk().run(port: port, environment: "agi_network: yes\n")
            #expect(session.commands.isEmpty)
            // Well under the minutes a hung session would take; a busy CI machine needs more than the 300 ms.
            #expect(ContinuousClock.now - started < .seconds(30))
        }
    }

    @Test func templates() {
        let template = ExtensionTemplate("*123*200")
        #expect(template.prefix == "*123*")
        #expect(template.extensionNumber(in: "*123*201") == "201")
        #expect(template.extensionNumber(in: "*123*20") == nil)
        #expect(template.extensionNumber(in: "*124*201") == nil)
        #expect(template.asteriskPattern == "_*123*XXX")
        #expect(ExtensionTemplate("_*77*XXXX").extensionNumber(in: "*77*1001") == "1001")
        #expect(ExtensionTemplate("*77*.").extensionNumber(in: "*77*12345") == "12345")
        #expect(CallerAddress.host(ofRemoteAddress: "[2001:db8::1]:5060") == "2001:db8::1")
        #expect(CallerAddress.host(ofVia: "SIP/2.0/UDP 192.0.2.5:5062;branch=z9hG4bK1;rport") == "192.0.2.5")
        #expect(NeighbourTable.parseIPNeigh("fd99::2 dev vA lladdr 02:8f:98:53:23:aa REACHABLE \n", ip: "fd99::2")?.compact == "028f985323aa")
        #expect(NeighbourTable.parseIPNeigh("fd99::3 dev vA INCOMPLETE \n", ip: "fd99::3") == nil)
    }

    @Test func theRealCaptureOfProcNetARP() throws {
        let file = try String(contentsOf: AGIInboundDecoderTests.vectors.appendingPathComponent("arp_linux_proc_net_arp_real.txt"), encoding: .utf8)
        let table = file.split(separator: "\n").filter { !$0.hasPrefix("#") }.prefix(4).joined(separator: "\n")
        #expect(NeighbourTable.parseARP(table, ip: "10.99.0.2")?.colonSeparated == "02:8f:98:53:23:aa")
        #expect(NeighbourTable.parseARP(table, ip: "10.99.0.3") == nil)
        #expect(NeighbourTable.parseARP(table, ip: "192.0.2.1")?.colonSeparated == "02:fc:00:00:00:05")
    }
}
