import Foundation

/// The kernel's socket tables (`/proc/net/tcp`, `tcp6`, `udp`, `udp6`): which sockets hold a local port.
public struct SocketTable: Sendable {
    /// The transport a port is looked up for.
    public enum Transport: String, Sendable {
        case tcp
        case udp
    }

    /// The root of the tables; `/proc/net` (tests point it elsewhere).
    let directory: String

    public init(directory: String = "/proc/net") {
        self.directory = directory
    }

    /// The inodes of the sockets that hold `port`: TCP sockets listening on it, UDP sockets bound to it.
    public func holders(port: Int, transport: Transport) -> Set<Int> {
        var inodes: Set<Int> = []
        for file in [transport.rawValue, transport.rawValue + "6"] {
            guard let text = try? String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8) else { continue }
            inodes.formUnion(Self.holders(in: text, port: port, listeningOnly: transport == .tcp))
        }
        return inodes
    }

    /// Parses one table: rows are `sl local_address rem_address st … uid timeout inode …`, ports in hex.
    static func holders(in table: String, port: Int, listeningOnly: Bool) -> Set<Int> {
        var inodes: Set<Int> = []
        for row in table.split(separator: "\n").dropFirst() {
            let fields = row.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 10, let colon = fields[1].lastIndex(of: ":"),
                Int(fields[1][fields[1].index(after: colon)...], radix: 16) == port, let inode = Int(fields[9]), inode != 0
            else { continue }
            // 0A is TCP_LISTEN; a TCP connection to or from the port does not hold it.
            if listeningOnly && fields[3] != "0A" { continue }
            inodes.insert(inode)
        }
        return inodes
    }
}
