import Foundation
import Logging
import Provisioning
import TestNetwork
import Testing

@testable import Neighbours

#if canImport(Glibc)
    import Glibc
#endif

/// The cache against the real kernel: a phone in its own network namespace behind a veth pair,
/// resolved by ARP and NDP while the monitor runs, then deleted.
@Suite(.serialized) struct NeighbourMonitorNamespaceTests {
    static let phoneMAC = "00:15:65:12:34:57"
    static let underCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Skips on a developer's machine without root; under CI=true the test runs and fails instead.
    static var skipReason: String? { underCI ? nil : PhoneNamespace.unavailableReason }

    @Test(.enabled(if: skipReason == nil, "skipped: \(skipReason ?? "")"))
    func followsAPhoneThroughARPAndNDP() async throws {
        if let reason = PhoneNamespace.unavailableReason {
            Issue.record("the namespace test must run in CI: \(reason)")
            return
        }
        let ip = PhoneNamespace.ipCommand!
        let expected = try MACAddress(parsing: Self.phoneMAC)
        // Chromium drops its requests when interfaces come and go: take turns with the browser walk-through.
        await SIPPortLock.shared.acquire()
        defer { Task { await SIPPortLock.shared.release() } }
        try await PhoneNamespace.with(phoneMAC: Self.phoneMAC, network: 237) { namespace in
            let (phone, phone6, host) = (namespace.phoneIP, namespace.phoneIP6, namespace.hostInterface)
            let prefix = phone.split(separator: ".").dropLast().joined(separator: ".")
            // An entry made before the monitor starts must come with the first dump.
            try await PhoneNamespace.run(ip, ["neigh", "replace", "\(prefix).50", "lladdr", "00:15:65:00:00:50", "dev", host, "nud", "permanent"])
            let cache = NeighbourCache()
            let monitor = try NeighbourMonitor(cache: cache, logger: Logger(label: "neighbours-netns"))
            #expect(cache.mac(for: "\(prefix).50")?.colonSeparated == "00:15:65:00:00:50")
            #expect(cache.mac(for: phone) == nil)

            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await monitor.run() }

                // IPv4: a datagram to the phone makes the host resolve it by ARP.
                #expect(await Self.eventually(resending: phone) { cache.mac(for: phone) == expected }, "ARP entry for \(phone)")
                #expect(cache.holds(expected, for: "::ffff:\(phone)"))
                try await PhoneNamespace.run(ip, ["neigh", "del", phone, "dev", host])
                #expect(await Self.eventually { cache.mac(for: phone) == nil }, "the deleted entry for \(phone) stays")

                // IPv6: the same through neighbour discovery.
                #expect(await Self.eventually(resending: phone6) { cache.mac(for: phone6) == expected }, "NDP entry for \(phone6)")
                try await PhoneNamespace.run(ip, ["-6", "neigh", "del", phone6, "dev", host])
                #expect(await Self.eventually { cache.mac(for: phone6) == nil }, "the deleted entry for \(phone6) stays")

                // A changed entry is followed, and a flushed one goes.
                try await PhoneNamespace.run(
                    ip, ["neigh", "replace", "\(prefix).50", "lladdr", "00:15:65:00:00:51", "dev", host, "nud", "permanent"])
                #expect(await Self.eventually { cache.mac(for: "\(prefix).50")?.colonSeparated == "00:15:65:00:00:51" })
                try await PhoneNamespace.run(ip, ["neigh", "flush", "dev", host, "nud", "permanent"])
                #expect(await Self.eventually { cache.mac(for: "\(prefix).50") == nil })

                // Nobody answers for this one: INCOMPLETE, then FAILED, never a match.
                Self.sendDatagram(to: "\(prefix).77")
                try await Task.sleep(for: .seconds(1))
                #expect(cache.mac(for: "\(prefix).77") == nil)

                tasks.cancelAll()
                try await tasks.waitForAll()
            }
        }
    }

    /// Changes that overflow the socket's buffer are lost (ENOBUFS): the monitor must read the whole table again.
    @Test(.enabled(if: skipReason == nil, "skipped: \(skipReason ?? "")"))
    func recoversFromLostNotificationsByReadingTheTableAgain() async throws {
        if let reason = PhoneNamespace.unavailableReason {
            Issue.record("the namespace test must run in CI: \(reason)")
            return
        }
        let ip = PhoneNamespace.ipCommand!
        // Chromium drops its requests when interfaces come and go: take turns with the browser walk-through.
        await SIPPortLock.shared.acquire()
        defer { Task { await SIPPortLock.shared.release() } }
        try await PhoneNamespace.with(phoneMAC: Self.phoneMAC, network: 238) { namespace in
            let prefix = namespace.phoneIP.split(separator: ".").dropLast().joined(separator: ".")
            let cache = NeighbourCache()
            // The kernel's smallest buffer holds a handful of notifications, and nothing reads them until run().
            let monitor = try NeighbourMonitor(cache: cache, logger: Logger(label: "neighbours-netns"), receiveBufferSize: 1)
            #expect(monitor.dumpsRequested == 1)
            let hosts = 100..<200
            for host in hosts {
                let mac = String(format: "00:15:65:78:00:%02x", host - 100)
                try await PhoneNamespace.run(
                    ip, ["neigh", "replace", "\(prefix).\(host)", "lladdr", mac, "dev", namespace.hostInterface, "nud", "permanent"])
            }
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await monitor.run() }
                let complete = await Self.eventually {
                    hosts.allSatisfy { cache.mac(for: "\(prefix).\($0)")?.colonSeparated == String(format: "00:15:65:78:00:%02x", $0 - 100) }
                }
                #expect(complete, "missing: \(hosts.filter { cache.mac(for: "\(prefix).\($0)") == nil }.map { "\(prefix).\($0)" })")
                #expect(monitor.dumpsRequested >= 2, "the overflow must have been noticed and the table read again")
                tasks.cancelAll()
                try await tasks.waitForAll()
            }
        }
    }

    /// Polls `condition` for up to `limit`; a busy, shared machine gets time, never a tight deadline.
    /// - Parameter address: When given, one datagram goes there now and every two seconds, in case the first was lost.
    static func eventually(resending address: String? = nil, within limit: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var nextSend = clock.now
        while clock.now < deadline {
            if condition() { return true }
            if let address, clock.now >= nextSend {
                sendDatagram(to: address)
                nextSend = clock.now + .seconds(2)
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    /// One UDP datagram to the discard port: the kernel resolves the address by ARP or NDP to send it.
    static func sendDatagram(to address: String) {
        let family = address.contains(":") ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        if family == AF_INET6 {
            var destination = sockaddr_in6()
            destination.sin6_family = sa_family_t(AF_INET6)
            destination.sin6_port = in_port_t(UInt16(9).bigEndian)
            guard inet_pton(AF_INET6, address, &destination.sin6_addr) == 1 else { return }
            _ = withUnsafePointer(to: &destination) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, "x", 1, 0, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var destination = sockaddr_in()
            destination.sin_family = sa_family_t(AF_INET)
            destination.sin_port = in_port_t(UInt16(9).bigEndian)
            guard inet_pton(AF_INET, address, &destination.sin_addr) == 1 else { return }
            _ = withUnsafePointer(to: &destination) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, "x", 1, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
    }
}
