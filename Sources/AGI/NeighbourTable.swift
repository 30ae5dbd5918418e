import Foundation
public import Provisioning

#if canImport(Glibc)
    import Glibc
#endif

/// Finds the MAC behind an IP address in the kernel's neighbour table.
///
/// IPv4 reads `/proc/net/arp`, where only complete entries (flag 0x2, non-zero
/// MAC) count. IPv6 has no such file, so it asks `ip -6 neigh`. An address
/// with no entry yet gets one UDP datagram, which makes the kernel resolve it.
public struct NeighbourTable: Sendable {
    /// The IPv4 table (a test may point at a file of its own).
    public var arpPath: String
    /// `ip` from iproute2, for IPv6.
    public var ipCommand: String?
    /// Whether a missing entry may be provoked with a datagram.
    public var provoke: Bool

    public init(arpPath: String = "/proc/net/arp", ipCommand: String? = NeighbourTable.findIPCommand(), provoke: Bool = true) {
        self.arpPath = arpPath
        self.ipCommand = ipCommand
        self.provoke = provoke
    }

    public static func findIPCommand() -> String? {
        ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The MAC for `ip`, provoking resolution and waiting up to `wait` when there is no entry yet.
    public func resolve(_ ip: String, wait: Duration = .seconds(2)) async -> MACAddress? {
        if let mac = lookup(ip) { return mac }
        guard provoke else { return nil }
        Self.sendDatagram(to: ip)
        let deadline = ContinuousClock.now + wait
        while ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            if let mac = lookup(ip) { return mac }
        }
        return nil
    }

    /// The MAC for `ip` if the table has a complete entry now.
    public func lookup(_ ip: String) -> MACAddress? {
        ip.contains(":") ? lookupIPv6(ip) : lookupIPv4(ip)
    }

    func lookupIPv4(_ ip: String) -> MACAddress? {
        guard let bytes = Self.readWhole(arpPath) else { return nil }
        return Self.parseARP(String(decoding: bytes, as: UTF8.self), ip: ip)
    }

    /// Reads a file to its end. procfs files report size 0 and hand out about a page per `read`,
    /// so anything that stops at the first short read sees only the first 4 KB of the table.
    static func readWhole(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    /// Reads `/proc/net/arp` text: `IP  HW-type  Flags  HW-address  Mask  Device`.
    static func parseARP(_ text: String, ip: String) -> MACAddress? {
        // Byte-wise: the table can have thousands of rows and is read on every star-code call.
        let wanted = Array(ip.utf8)
        for line in text.utf8.split(separator: UInt8(ascii: "\n")).dropFirst() {
            let columns = line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            guard columns.count >= 4, columns[0].elementsEqual(wanted) else { continue }
            guard let flags = UInt32(String(decoding: columns[2].dropFirst(2), as: UTF8.self), radix: 16), flags & 0x2 != 0 else { continue }
            guard let mac = try? MACAddress(parsing: String(decoding: columns[3], as: UTF8.self)), mac.compact != "000000000000" else { continue }
            return mac
        }
        return nil
    }

    func lookupIPv6(_ ip: String) -> MACAddress? {
        guard let ipCommand else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ipCommand)
        process.arguments = ["-6", "neigh", "show", ip]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Self.parseIPNeigh(String(decoding: data, as: UTF8.self), ip: ip)
    }

    /// Reads `ip neigh` lines: `fd99::2 dev vA lladdr 02:8f:98:53:23:aa REACHABLE `.
    static func parseIPNeigh(_ text: String, ip: String) -> MACAddress? {
        for line in text.split(separator: "\n") {
            let tokens = line.split(separator: " ")
            guard tokens.first.map(String.init) == ip, let index = tokens.firstIndex(of: "lladdr"), index + 1 < tokens.count else { continue }
            if tokens.contains("INCOMPLETE") || tokens.contains("FAILED") { continue }
            guard let mac = try? MACAddress(parsing: String(tokens[index + 1])), mac.compact != "000000000000" else { continue }
            return mac
        }
        return nil
    }

    /// One UDP datagram to the discard port: enough for the kernel to start ARP or NDP.
    static func sendDatagram(to ip: String) {
        if ip.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(9).bigEndian)
            guard inet_pton(AF_INET6, ip, &address.sin6_addr) == 1 else { return }
            send(&address, family: AF_INET6)
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(9).bigEndian)
            guard inet_pton(AF_INET, ip, &address.sin_addr) == 1 else { return }
            send(&address, family: AF_INET)
        }
    }

    private static func send<Address>(_ address: inout Address, family: Int32) {
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, "x", 1, 0, $0, socklen_t(MemoryLayout<Address>.size)) }
        }
    }

    /// Whether `text` is an IPv4 or IPv6 address.
    public static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
