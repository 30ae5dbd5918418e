import Foundation
import Logging
import Provisioning
import Synchronization
import ScriptedAGIClient
import Testing
@testable import AGI
#if canImport(Glibc)
import Glibc
#endif

/// The neighbour lookup against the real kernel: a phone in its own network namespace
/// behind a veth pair, with a fixed Yealink MAC.
@Suite(.serialized) struct NetworkNamespaceARPTests {
    static let phoneMAC = "00:15:65:12:34:56"

    static var skipReason: String? {
        if getuid() != 0 { return "needs root to create a network namespace (CI runs as root)" }
        if NeighbourTable.findIPCommand() == nil { return "needs iproute2's ip command" }
        return nil
    }

    @discardableResult
    static func ip(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: NeighbourTable.findIPCommand()!)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw NamespaceError(command: "ip " + arguments.joined(separator: " "), output: text) }
        return text
    }

    struct NamespaceError: Error, CustomStringConvertible {
        let command: String
        let output: String
        var description: String { "\(command) failed: \(output)" }
    }

    /// Creates the namespace and the veth pair, runs `body` with the phone's and the host's IPv4 and IPv6
    /// addresses, and removes everything again even when `body` fails.
    static func withPhoneNamespace(_ body: (_ phone: String, _ phone6: String) async throws -> Void) async throws {
        let tag = String(UInt32.random(in: 0..<0xffff), radix: 16)
        let namespace = "ap-phone-\(tag)"
        let host = "aph\(tag)"
        let peer = "app\(tag)"
        let subnet = Int.random(in: 16...250)
        defer {
            _ = try? ip(["link", "del", host])
            _ = try? ip(["netns", "del", namespace])
        }
        try ip(["netns", "add", namespace])
        try ip(["link", "add", host, "type", "veth", "peer", "name", peer])
        try ip(["link", "set", peer, "netns", namespace])
        try ip(["-n", namespace, "link", "set", peer, "address", phoneMAC])
        try ip(["addr", "add", "10.231.\(subnet).1/24", "dev", host])
        try ip(["-6", "addr", "add", "fd99:\(subnet)::1/64", "dev", host, "nodad"])
        try ip(["-n", namespace, "addr", "add", "10.231.\(subnet).2/24", "dev", peer])
        try ip(["-n", namespace, "-6", "addr", "add", "fd99:\(subnet)::2/64", "dev", peer, "nodad"])
        try ip(["link", "set", host, "up"])
        try ip(["-n", namespace, "link", "set", peer, "up"])
        try ip(["-n", namespace, "link", "set", "lo", "up"])
        try await body("10.231.\(subnet).2", "fd99:\(subnet)::2")
    }

    @Test(.enabled(if: skipReason == nil, "skipped: \(skipReason ?? "")"))
    func resolvesAPhonesMACThroughTheKernel() async throws {
        try await Self.withPhoneNamespace { phone, phone6 in
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

    @Test(.enabled(if: skipReason == nil, "skipped: \(skipReason ?? "")"))
    func starCodeBindResolvesTheRealMAC() async throws {
        try await Self.withPhoneNamespace { phone, _ in
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
            let server = FastAGIServer(host: "127.0.0.1", port: 0, scripts: ["bind": script], logger: Logger(label: "netns")) { continuation.yield($0) }
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
