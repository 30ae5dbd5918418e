import Foundation

/// A "phone" in a network namespace of its own, joined to the host by a veth pair,
/// for tests that need the real kernel between two hosts (ARP, NDP, multicast). Needs root.
public struct PhoneNamespace: Sendable {
    public let name: String
    public let hostInterface: String
    public let hostIP: String
    public let phoneIP: String
    public let phoneIP6: String

    /// iproute2's `ip`, if installed.
    public static let ipCommand = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Why such a test cannot run here, or nil.
    public static var unavailableReason: String? {
        if getuid() != 0 { return "needs root to create a network namespace (CI runs as root)" }
        if ipCommand == nil { return "needs iproute2's ip command" }
        return nil
    }

    public struct CommandError: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// Runs a command to completion on a thread outside the concurrency pool, so waiting for it
    /// never starves the other tests running at the same time, and returns what it printed.
    /// - Throws: ``CommandError`` with the output when it exits non-zero.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(executable, arguments) })
            }
        }
    }

    static func runBlocking(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw CommandError(description: "\(executable) \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    /// Runs `arguments` inside the namespace.
    @discardableResult
    public func exec(_ executable: String, _ arguments: [String]) async throws -> String {
        try await Self.run(Self.ipCommand!, ["netns", "exec", name, executable] + arguments)
    }

    /// Creates the namespace and the veth pair (IPv4 `10.<network>.<n>.0/24`, IPv6 `fd99:<network>:<n>::/64`, multicast on,
    /// the phone side at `phoneMAC`), runs `body`, and removes everything again even when `body` fails.
    public static func with(phoneMAC: String, network: Int, _ body: (PhoneNamespace) async throws -> Void) async throws {
        let ip = ipCommand!
        let tag = String(UInt32.random(in: 0..<0xffff), radix: 16)
        let name = "ap-phone-\(tag)"
        let host = "aph\(tag)"
        let peer = "app\(tag)"
        let subnet = Int.random(in: 16...250)
        defer {
            // Cleanup must happen even when the body failed; defer cannot await, so this one waits in place.
            _ = try? runBlocking(ip, ["link", "del", host])
            _ = try? runBlocking(ip, ["netns", "del", name])
        }
        try await run(ip, ["netns", "add", name])
        try await run(ip, ["link", "add", host, "type", "veth", "peer", "name", peer])
        try await run(ip, ["link", "set", peer, "netns", name])
        try await run(ip, ["-n", name, "link", "set", peer, "address", phoneMAC])
        try await run(ip, ["addr", "add", "10.\(network).\(subnet).1/24", "dev", host])
        try await run(ip, ["-6", "addr", "add", "fd99:\(network):\(subnet)::1/64", "dev", host, "nodad"])
        try await run(ip, ["-n", name, "addr", "add", "10.\(network).\(subnet).2/24", "dev", peer])
        try await run(ip, ["-n", name, "-6", "addr", "add", "fd99:\(network):\(subnet)::2/64", "dev", peer, "nodad"])
        try await run(ip, ["link", "set", host, "up", "multicast", "on"])
        try await run(ip, ["-n", name, "link", "set", peer, "up", "multicast", "on"])
        try await run(ip, ["-n", name, "link", "set", "lo", "up"])
        try await run(ip, ["-n", name, "route", "add", "224.0.0.0/4", "dev", peer])
        try await body(
            PhoneNamespace(
                name: name, hostInterface: host, hostIP: "10.\(network).\(subnet).1", phoneIP: "10.\(network).\(subnet).2",
                phoneIP6: "fd99:\(network):\(subnet)::2"
            ))
    }
}
