import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Writes raw bytes to a TCP server and reads until it closes or 2 s pass, for malformed-input tests.
enum RawSocket {
    struct Failure: Error { let what: String }

    @discardableResult
    static func send(_ text: String, host: String, port: Int) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(what: "socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(what: "connect") }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        var received = [UInt8](repeating: 0, count: 65536)
        var reply = ""
        while true {
            let count = read(fd, &received, received.count)
            if count <= 0 { break }
            reply += String(decoding: received[..<count], as: UTF8.self)
        }
        return reply
    }
}
