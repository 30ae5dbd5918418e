import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// One transfer's own UDP socket (its port is the server's transfer ID, RFC 1350 §4): blocking, and once
/// ``connect(to:)`` has run, connected to the client, so the kernel keeps the route to it and hands over only
/// its datagrams. Closed when released.
final class TFTPTransferSocket: Sendable {
    /// A system call that failed, with its errno.
    struct Failure: Error, CustomStringConvertible {
        let call: String
        let errno: Int32
        var description: String { "\(call): \(String(cString: strerror(errno)))" }
    }

    enum Received {
        /// The datagram is in the buffer.
        case datagram
        /// Nothing came within the receive timeout.
        case timedOut
    }

    private let descriptor: Int32
    /// The address and port the socket is bound to.
    let address: SocketAddress

    /// Binds a new socket to `host` on a port of the kernel's choosing, one that no other socket holds.
    /// - Parameter receiveTimeout: How long ``receive(into:)`` waits before it reports `.timedOut`.
    init(host: String, receiveTimeout: Duration) throws {
        let local = try SocketAddress(ipAddress: host, port: 0)
        let domain = local.protocol == .inet6 ? AF_INET6 : AF_INET
        let fd = socket(domain, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(call: "socket", errno: errno) }
        do {
            try Self.check("bind", local.withSockAddr { bind(fd, $0, socklen_t($1)) })
            var bound = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            try Self.check(
                "getsockname",
                withUnsafeMutablePointer(to: &bound) { getsockname(fd, UnsafeMutableRawPointer($0).assumingMemoryBound(to: sockaddr.self), &length) })
            // sin_port and sin6_port sit at the same offset, in network byte order.
            let port = Int(UInt16(bigEndian: withUnsafeBytes(of: &bound) { $0.load(fromByteOffset: 2, as: UInt16.self) }))
            address = try SocketAddress(ipAddress: host, port: port)
            // Set only now that the port is chosen: it lets the stray socket share this one port, and no other.
            var on: Int32 = 1
            try Self.check("SO_REUSEADDR", setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size)))
            let (seconds, attoseconds) = receiveTimeout.components
            var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
            try Self.check("SO_RCVTIMEO", setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)))
        } catch {
            close(fd)
            throw error
        }
        descriptor = fd
    }

    deinit {
        close(descriptor)
    }

    func connect(to client: SocketAddress) throws {
        try Self.check("connect", client.withSockAddr { Glibc.connect(descriptor, $0, socklen_t($1)) })
    }

    func send(_ datagram: ByteBuffer) throws {
        while true {
            let sent = datagram.withUnsafeReadableBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }
            if sent >= 0 { return }
            if errno != EINTR { throw Failure(call: "send", errno: errno) }
        }
    }

    /// Replaces the buffer's bytes with the next datagram, waiting at most the receive timeout.
    func receive(into buffer: inout ByteBuffer) throws -> Received {
        buffer.clear()
        while true {
            var result = 0
            // One byte more than any packet this server accepts during a transfer, so a longer one shows as too long.
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: TFTPPacket.maximumRequestSize + 1) { pointer in
                result = recv(descriptor, pointer.baseAddress, TFTPPacket.maximumRequestSize + 1, 0)
                return max(0, result)
            }
            if result >= 0 { return .datagram }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .timedOut
            default: throw Failure(call: "recv", errno: errno)
            }
        }
    }

    private static func check(_ call: String, _ result: Int32) throws {
        if result < 0 { throw Failure(call: call, errno: errno) }
    }
}
