import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A port no socket holds now, below Linux's ephemeral range (32768-60999), where outgoing
/// connections of the tests and of Asterisk would otherwise take it from under a daemon.
///
/// `also` lists offsets from the port that must be free too (a daemon's HTTPS port beside its
/// HTTP port, say), and `udp` asks for a free UDP port as well as a TCP one.
public func freePort(in range: Range<Int>, udp: Bool = false, also offsets: [Int] = []) -> Int {
    for _ in 0..<200 {
        let port = Int.random(in: range)
        let candidates = [port] + offsets.map { port + $0 }
        guard candidates.allSatisfy({ (1..<32768).contains($0) }) else { continue }
        if candidates.allSatisfy({ isFree($0, type: SOCK_STREAM) && (!udp || isFree($0, type: SOCK_DGRAM)) }) {
            return port
        }
    }
    return Int.random(in: range)
}

private func isFree(_ port: Int, type: __socket_type) -> Bool {
    let descriptor = socket(AF_INET, Int32(type.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    return bound == 0
}
