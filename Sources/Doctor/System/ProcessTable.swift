import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The processes in `/proc`: who holds a socket, which process is `autoprovision serve`, and what it may do.
public struct ProcessTable: Sendable {
    /// A running process.
    public struct Entry: Hashable, Sendable {
        public var pid: Int32
        /// Its command name (`/proc/PID/comm`, at most 15 characters).
        public var name: String
        /// Its command line, where it was read (the daemon's, to see its options).
        public var arguments: [String] = []
    }

    /// The executable's command name, which marks a socket as ours.
    public static let daemonName = "autoprovision"

    let root: String

    public init(root: String = "/proc") {
        self.root = root
    }

    private var pids: [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap { Int32($0) }.sorted()
    }

    func name(of pid: Int32) -> String? {
        (try? String(contentsOfFile: "\(root)/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The processes with a descriptor on one of `inodes`. Only the processes this user may inspect are seen
    /// (all of them as root).
    public func owners(of inodes: Set<Int>) -> [Entry] {
        guard !inodes.isEmpty else { return [] }
        let targets = Set(inodes.map { "socket:[\($0)]" })
        var found: [Entry] = []
        var buffer = [CChar](repeating: 0, count: 64)
        for pid in pids {
            let fdDirectory = "\(root)/\(pid)/fd"
            guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: fdDirectory) else { continue }
            for descriptor in descriptors {
                let count = readlink("\(fdDirectory)/\(descriptor)", &buffer, buffer.count - 1)
                guard count > 0 else { continue }
                let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if targets.contains(target) {
                    found.append(Entry(pid: pid, name: name(of: pid) ?? "?"))
                    break
                }
            }
        }
        return found
    }

    /// The running `autoprovision serve`, if there is one (another process than this one).
    public func daemon() -> Entry? {
        let me = getpid()
        for pid in pids where pid != me && name(of: pid) == Self.daemonName {
            guard let data = FileManager.default.contents(atPath: "\(root)/\(pid)/cmdline") else { continue }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if arguments.dropFirst().first == "serve" { return Entry(pid: pid, name: Self.daemonName, arguments: arguments) }
        }
        return nil
    }

    /// The effective capabilities of `pid` (this process when nil), from its `status` file.
    public func capabilities(of pid: Int32?) -> Capabilities? {
        let path = "\(root)/\(pid.map(String.init) ?? "self")/status"
        return (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(Capabilities.init(status:))
    }
}

/// A process's effective capability set (`CapEff` in `/proc/PID/status`).
public struct Capabilities: Hashable, Sendable {
    /// The bit mask.
    public var effective: UInt64

    /// Bit 10: binding ports below `ip_unprivileged_port_start` (TFTP's 69).
    public static let netBindService = 10
    /// Bit 13: packet sockets (PnP discovery beside Asterisk).
    public static let netRaw = 13

    public init(effective: UInt64) {
        self.effective = effective
    }

    /// Reads the `CapEff:` line of a status file; nil when there is none.
    public init?(status: String) {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
            let mask = UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return nil }
        effective = mask
    }

    public func has(_ bit: Int) -> Bool { effective & (1 << UInt64(bit)) != 0 }
}
