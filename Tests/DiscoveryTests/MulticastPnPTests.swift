import Foundation
import Logging
import MetricsTestKit
import Neighbours
import Provisioning
import ServiceLifecycle
import Synchronization
import TestNetwork
import Testing

@testable import Discovery

#if canImport(Glibc)
    import Glibc
#endif

/// PnP over real multicast: a phone in its own network namespace behind a veth pair sends a
/// real SUBSCRIBE to 224.0.1.75:5060 and must get the 200 OK and the NOTIFY.
@Suite(.serialized) struct MulticastPnPTests {
    static var skipReason: String? {
        if let reason = PhoneNamespace.unavailableReason { return reason }
        if PnPPhone.python == nil { return "needs python3 to play the phone inside the namespace" }
        return nil
    }

    /// - Parameters:
    ///   - holdPort: Whether something else holds UDP 5060 (Asterisk).
    ///   - known: Whether the phone is known and on the LAN beforehand, so it is told its private URL.
    func answer(holdPort: Bool, known: Bool = false) async throws {
        try await PhoneNamespace.with(phoneMAC: "00:15:65:f4:f9:e1", network: 232) { namespace in
            let (hostInterface, phoneIP, hostIP) = (namespace.hostInterface, namespace.phoneIP, namespace.hostIP)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pnp-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try ProvisioningStore(path: directory.appendingPathComponent("db.sqlite").path, defaultHost: hostIP)
            try store.set(.pbxHost, to: hostIP)
            let logger = Logger(label: "pnp-test")
            let catalog = ProvisioningCatalog()
            try await CatalogRefresher(
                catalog: catalog, builder: SnapshotBuilder(store: store, credentials: LocalAccountCredentialSource(store: store)), store: store,
                logger: logger
            ).refresh()
            // Asterisk's stand-in: 0.0.0.0:5060 held without SO_REUSEADDR.
            let holder = holdPort ? try HeldPort(port: 5060) : nil
            let (ready, continuation) = AsyncStream.makeStream(of: String.self)
            var neighbours: NeighbourCache?
            var token: String?
            if known {
                let mac = try MACAddress(parsing: "001565f4f9e1")
                try store.addDevice(mac: mac, vendor: nil, model: nil, templateName: nil, extensionNumber: nil, actor: "test")
                token = try store.token(mac: mac)
                try await CatalogRefresher(
                    catalog: catalog, builder: SnapshotBuilder(store: store, credentials: LocalAccountCredentialSource(store: store)), store: store,
                    logger: logger
                ).refresh()
                // The kernel's entry for the phone, as its earlier traffic would have left it.
                try await PhoneNamespace.run(
                    PhoneNamespace.ipCommand!, ["neigh", "replace", phoneIP, "lladdr", "00:15:65:f4:f9:e1", "dev", hostInterface, "nud", "reachable"])
                let cache = NeighbourCache()
                _ = try NeighbourMonitor(cache: cache, logger: logger)
                neighbours = cache
            }
            let metrics = TestMetrics()
            let service = PnPService(
                store: store, catalog: catalog, interfaces: [hostInterface], neighbours: neighbours, logger: logger,
                metrics: PnPMetrics(factory: metrics)
            ) { continuation.yield($0) }
            let group = ServiceGroup(services: [service], logger: logger)
            let vector = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "Vectors/sip_pnp_subscribe_yealink_w52p_ngrep.txt")
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var iterator = ready.makeAsyncIterator()
                let path = try #require(await iterator.next())
                #expect(path == (holdPort ? "packet" : "udp"))
                let messages = try await PnPPhone.subscribe(in: namespace, vector: vector.path)
                #expect(messages.count == 2)
                #expect(messages.first?.hasPrefix("SIP/2.0 200 OK\r\n") == true)
                #expect(messages.first?.contains("Call-ID: 1536537630@10.1.3.239\r\n") == true)
                #expect(messages.first?.contains(";received=\(phoneIP)") == true)
                #expect(messages.last?.hasPrefix("NOTIFY sip:MAC001565f4f9e1@10.1.3.239:5059 SIP/2.0\r\n") == true)
                #expect(messages.last?.contains("Subscription-State: terminated;reason=timeout\r\n") == true)
                #expect(
                    messages.last?.hasSuffix("\r\n\r\nhttp://\(hostIP):8480/" + (token.map { "p/\($0)/" } ?? "")) == true, "\(messages.last ?? "")")
                if let holder { #expect(holder.receivedAnything() == false, "the port's owner must see no SUBSCRIBE") }
                // The phone appears unbound in the device list.
                var device: DeviceSummary?
                for _ in 0..<50 where device == nil {
                    device = try store.device(mac: MACAddress(parsing: "001565f4f9e1"))
                    if device == nil { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(device?.device.vendor == .yealink)
                #expect(device?.device.model == "W52P")
                #expect(device?.device.firmwareVersion == "25.81.0.10")
                #expect(device?.device.lastIP == phoneIP)
                #expect(device?.lines.isEmpty == true)
                // One SUBSCRIBE, answered; every other result counted nothing.
                for result in ["answered", "refused", "retransmission", "rate_limited", "invalid"] {
                    let count = try metrics.expectCounter("autoprovision_pnp_subscribes_total", [("result", result)]).totalValue
                    #expect(count == (result == "answered" ? 1 : 0), "\(result)")
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }

    @Test(.enabled(if: skipReason == nil, "skipped: \(skipReason ?? "")"))
    func answeredBesideTheOwnerOfPort5060() async throws {
        try await SIPPortLock.shared.run { try await answer(holdPort: true) }
    }

    @Test(.enabled(if: skipReason == nil, "skipped: \(skipReason ?? "")"))
    func answeredWhenPort5060IsFree() async throws {
        try await SIPPortLock.shared.run { try await answer(holdPort: false) }
    }

    @Test(.enabled(if: skipReason == nil, "skipped: \(skipReason ?? "")"))
    func aKnownPhoneOnTheLANIsToldItsPrivateURL() async throws {
        try await SIPPortLock.shared.run { try await answer(holdPort: false, known: true) }
    }
}

/// A UDP socket on 0.0.0.0:PORT without SO_REUSEADDR, as PJSIP binds it.
final class HeldPort {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw PhoneNamespace.CommandError(description: "cannot hold UDP \(port): \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 0, tv_usec: 300_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func receivedAnything() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        return recv(fd, &buffer, buffer.count, 0) > 0
    }
}
