#if canImport(Glibc)
    import Glibc
#endif

/// A `NETLINK_ROUTE` socket subscribed to multicast groups, read with blocking calls that time out.
///
/// The descriptor lives as long as the object, so a monitor that is built but never run still closes it.
final class NetlinkSocket: Sendable {
    /// What one receive gave.
    enum Received {
        case datagram([UInt8])
        /// Nothing arrived within the receive timeout, or a signal interrupted the wait.
        case nothing
        /// The kernel dropped messages for want of buffer space (ENOBUFS).
        case lost
        /// A datagram larger than the buffer: its tail is gone.
        case truncated(Int)
        /// A datagram from a sender other than the kernel; only the kernel speaks for the table.
        case foreign(portID: UInt32)
        case failed(errno: Int32)
    }

    /// `NETLINK_ROUTE` (linux/netlink.h).
    static let routeProtocol: Int32 = 0
    /// `RTMGRP_NEIGH` (linux/rtnetlink.h).
    static let neighbourGroup: UInt32 = 4

    let descriptor: Int32
    /// The port the kernel gave the socket at `bind`; replies to its requests carry it.
    let portID: UInt32

    /// Opens the socket, subscribes to `groups`, and sets the receive timeout.
    /// - Parameters:
    ///   - groups: The `RTMGRP_*` bits to subscribe to.
    ///   - receiveTimeout: How long a receive blocks before it reports nothing, so the reader can see it must stop.
    ///   - receiveBuffer: The socket buffer asked for; a bigger one loses fewer notifications in a burst.
    /// - Throws: ``NeighbourMonitorError`` naming the call that failed and its errno.
    init(groups: UInt32, receiveTimeout: Duration = .milliseconds(200), receiveBuffer: Int32 = 1 << 20) throws(NeighbourMonitorError) {
        let fd = Glibc.socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Self.routeProtocol)
        guard fd >= 0 else { throw .socket(errno: errno) }
        var address = NetlinkAddress(groups: groups)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<NetlinkAddress>.size)) }
        }
        guard bound == 0 else {
            let failure = errno
            close(fd)
            throw .bind(errno: failure)
        }
        var length = socklen_t(MemoryLayout<NetlinkAddress>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            let failure = errno
            close(fd)
            throw .bind(errno: failure)
        }
        let (seconds, attoseconds) = receiveTimeout.components
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // SO_RCVBUFFORCE passes the rmem_max cap with CAP_NET_ADMIN; without it, SO_RCVBUF gets what the cap allows.
        var size = receiveBuffer
        if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        descriptor = fd
        portID = address.portID
    }

    deinit {
        close(descriptor)
    }

    /// Sends one message to the kernel.
    /// - Returns: 0, or the errno of the failure.
    func send(_ bytes: [UInt8]) -> Int32 {
        var kernel = NetlinkAddress(groups: 0)
        while true {
            let sent = withUnsafePointer(to: &kernel) { address in
                address.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                    bytes.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, 0, address, socklen_t(MemoryLayout<NetlinkAddress>.size)) }
                }
            }
            if sent >= 0 { return 0 }
            if errno != EINTR { return errno }
        }
    }

    /// Waits for one datagram, at most the receive timeout.
    /// - Parameter buffer: Where the datagram lands; its size is the largest datagram taken whole.
    func receive(into buffer: inout [UInt8]) -> Received {
        var sender = NetlinkAddress(groups: 0)
        var length = socklen_t(MemoryLayout<NetlinkAddress>.size)
        // MSG_TRUNC makes the call report a datagram's full size even when the buffer held less.
        let count = withUnsafeMutablePointer(to: &sender) { address in
            address.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                buffer.withUnsafeMutableBytes { recvfrom(descriptor, $0.baseAddress, $0.count, Int32(MSG_TRUNC), address, &length) }
            }
        }
        guard count >= 0 else {
            switch errno {
            case EAGAIN, EWOULDBLOCK, EINTR: return .nothing
            case ENOBUFS: return .lost
            case let failure: return .failed(errno: failure)
            }
        }
        guard count <= buffer.count else { return .truncated(count) }
        guard sender.portID == 0 else { return .foreign(portID: sender.portID) }
        return .datagram(Array(buffer[..<count]))
    }
}

/// `struct sockaddr_nl` (linux/netlink.h).
private struct NetlinkAddress {
    var family = UInt16(AF_NETLINK)
    var padding: UInt16 = 0
    var portID: UInt32 = 0
    var groups: UInt32

    init(groups: UInt32) {
        self.groups = groups
    }
}
