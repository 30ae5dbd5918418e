import Foundation
import Logging
import Provisioning
import ScriptedAGIClient
import Synchronization
import TestNetwork
import Testing

@testable import AGI

#if canImport(Glibc)
    import Glibc
#endif

/// The neighbour lookup against the real kernel: a phone in its own network namespace
/// behind a veth pair, with a fixed Yealink MAC.
@Suite(.serialized) struct NetworkNamespaceARPTests {
    static let phoneMAC = "00:15:65:12:34:56"

    static var skipReason: String? { PhoneNamespace.unavailableReason }

    @Test(.enabled(if: skipReason == nil, "skipped: \(skipReason ?? "")"))
    func resolvesAPhonesMACThroughTheKernel() async throws {
        // Chromium drops its requests when interfaces come and go: take turns with the browser walk-through.
        await SIPPortLock.shared.acquire()
        defer { Task { await SIPPortLock.shared.release() } }
        try await PhoneNamespace.with(phoneMAC: Self.phoneMAC, network: 231) { namespace in
            let (phone, phone6) = (namespace.phoneIP, namespace.phoneIP6)
            let table = NeighbourTable()
            // No entry yet: the lookup provokes resolution with one datagram and waits for it.
            #expect(table.lookup(phone) == nil)
            let mac = await table.resolve(phone)
            #expect(mac?.colonSeparated == Self.phoneMAC)
            let mac6 = await table.resolve(phone6, wait: .seconds(3))
            #expect(mac6?.colonSeparated == Self.phoneMAC)
            // An address nobody answers for never yields a MAC (INCOMPLETE, then FAILED with a zero MAC).
            let absent = phone.split(separator: ".").dropLast().joined(separator: ".") + ".77"
            #expect(await table.resolve(absent, wait: .milliseconds(500)) == nil)
        }
    }

    /// procfs hands `/proc/net/arp` out a page per read: a table past 4 KB (about 50 rows) must be read to its end.
    @Test(.enabled(if: skipReason == nil, "skipped: \(skipReason ?? "")"))
    func findsEntriesPastTheFirstPageOfTheTable() async throws {
        // Chromium drops its requests when interfaces come and go: take turns with the browser walk-through.
        await SIPPortLock.shared.acquire()
        defer { Task { await SIPPortLock.shared.release() } }
        try await PhoneNamespace.with(phoneMAC: Self.phoneMAC, network: 233) { namespace in
            let prefix = namespace.phoneIP.split(separator: ".").dropLast().joined(separator: ".")
            for host in 100..<200 {
                try await PhoneNamespace.run(
                    PhoneNamespace.ipCommand!,
                    [
                        "neigh", "replace", "\(prefix).\(host)", "lladdr", String(format: "00:15:65:77:00:%02x", host - 100), "dev",
                        namespace.hostInterface, "nud", "permanent",
                    ]
                )
            }
            let size = NeighbourTable.readWhole("/proc/net/arp")?.count ?? 0
            #expect(size > 4096, "the table must be larger than one page for this test to mean anything")
            // The kernel lists entries in hash order: every one of them must be found.
            let table = NeighbourTable(provoke: false)
            let missing = (100..<200).filter { table.lookup("\(prefix).\($0)")?.colonSeparated != String(format: "00:15:65:77:00:%02x", $0 - 100) }
            #expect(missing.isEmpty, "not found: \(missing.map { "\(prefix).\($0)" })")
        }
    }

    @Test(.enabled(if: skipReason == nil, "skipped: \(skipReason ?? "")"))
    func starCodeBindResolvesTheRealMAC() async throws {
        // Chromium drops its requests when interfaces come and go: take turns with the browser walk-through.
        await SIPPortLock.shared.acquire()
        defer { Task { await SIPPortLock.shared.release() } }
        try await PhoneNamespace.with(phoneMAC: Self.phoneMAC, network: 231) { namespace in
            let phone = namespace.phoneIP
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agi-netns-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try ProvisioningStore(path: directory.appendingPathComponent("db.sqlite").path, defaultHost: "10.231.0.1")
            try store.saveAccount(AccountRecord(extensionNumber: "201", authUsername: "201", password: "pw", displayName: "Irina"))
            let reboots = Reboots()
            let script = StarCodeBindScript(
                store: store, credentials: LocalAccountCredentialSource(store: store), logger: Logger(label: "netns"), rebootDelay: .zero
            ) { mac in reboots.macs.withLock { $0.append(mac) } }
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let server = FastAGIServer(host: "127.0.0.1", port: 0, scripts: ["bind": script], logger: Logger(label: "netns")) {
                continuation.yield($0)
            }
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await server.run() }
                var iterator = ports.makeAsyncIterator()
                let port = try #require(await iterator.next())
                let session = try await FakeAsterisk(variables: ["CHANNEL(pjsip,remote_addr)": "\(phone):5060"])
                    .run(port: port, environment: FakeAsterisk.environment(extension: "*123*201"))
                #expect(session.setVariables["PROVISION_STATUS"] == "OK")
                tasks.cancelAll()
            }
            #expect(try store.device(mac: MACAddress(parsing: Self.phoneMAC))?.lines.map(\.extensionNumber) == ["201"])
        }
    }
}
