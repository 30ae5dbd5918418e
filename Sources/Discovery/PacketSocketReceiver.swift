#if canImport(Glibc)
    import Foundation
    import Glibc
    import Synchronization

    /// Receives the PnP multicast group's datagrams through a Linux packet socket (AF_PACKET).
    ///
    /// Asterisk holds UDP 5060 without SO_REUSEADDR, so no UDP socket can bind it;
    /// and an IP-level group join would make the kernel hand every SUBSCRIBE to
    /// Asterisk too, which answers 401 and races us. A packet socket that only adds
    /// the group's link-layer address (01:00:5e:00:01:4b) sees the frames while the
    /// IP layer, having joined nothing, drops them. Needs CAP_NET_RAW.
    final class PacketSocketReceiver: Sendable {
        /// One UDP datagram taken off the wire.
        struct Datagram: Sendable {
            var sourceIP: String
            var sourcePort: Int
            var payload: [UInt8]
        }

        private let descriptors: [Int32]
        private let stopped = Atomic<Bool>(false)

        /// Opens one packet socket per interface and adds the group's MAC to each.
        /// - Throws: ``DiscoveryError`` naming the interface and the errno (EPERM without CAP_NET_RAW).
        init(interfaces: [String], groupMAC: [UInt8] = [0x01, 0x00, 0x5e, 0x00, 0x01, 0x4b]) throws(DiscoveryError) {
            var opened: [Int32] = []
            for name in interfaces {
                let index = if_nametoindex(name)
                guard index != 0 else {
                    for descriptor in opened { close(descriptor) }
                    throw .interface(name, "no such interface")
                }
                let fd = socket(AF_PACKET, Int32(SOCK_DGRAM.rawValue), Int32(UInt16(0x0800).bigEndian))
                guard fd >= 0 else {
                    let reason = String(cString: strerror(errno))
                    for descriptor in opened { close(descriptor) }
                    throw .packetSocket(reason)
                }
                var address = LinkLayerAddress(family: UInt16(AF_PACKET), protocol: UInt16(0x0800).bigEndian, ifindex: Int32(index))
                var membership = PacketMembership(ifindex: Int32(index), type: 0, length: 6, address: groupMAC)
                let bound = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<LinkLayerAddress>.size)) }
                }
                // SOL_PACKET 263, PACKET_ADD_MEMBERSHIP 1, PACKET_MR_MULTICAST 0 (linux/if_packet.h).
                let joined = setsockopt(fd, 263, 1, &membership, socklen_t(MemoryLayout<PacketMembership>.size))
                var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                guard bound == 0, joined == 0 else {
                    let reason = String(cString: strerror(errno))
                    close(fd)
                    for descriptor in opened { close(descriptor) }
                    throw .interface(name, reason)
                }
                opened.append(fd)
            }
            descriptors = opened
        }

        /// Reads until ``stop()``, on one thread per socket, handing each PnP datagram to `deliver`.
        func run(port: UInt16 = 5060, group: (UInt8, UInt8, UInt8, UInt8) = (224, 0, 1, 75), deliver: @escaping @Sendable (Datagram) -> Void) async {
            await withTaskGroup(of: Void.self) { tasks in
                for fd in descriptors {
                    tasks.addTask {
                        // A blocking read loop belongs on a thread of its own, not on the cooperative pool.
                        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                            let thread = Thread { [self] in
                                var buffer = [UInt8](repeating: 0, count: 65536)
                                while !stopped.load(ordering: .relaxed) {
                                    let count = recv(fd, &buffer, buffer.count, 0)
                                    guard count > 0 else { continue }
                                    if let datagram = Self.udp(Array(buffer[..<count]), port: port, group: group) { deliver(datagram) }
                                }
                                done.resume()
                            }
                            thread.start()
                        }
                    }
                }
            }
            for descriptor in descriptors { close(descriptor) }
        }

        func stop() {
            stopped.store(true, ordering: .relaxed)
        }

        /// The UDP payload of an IPv4 packet to `group`:`port`, or nil.
        static func udp(_ packet: [UInt8], port: UInt16, group: (UInt8, UInt8, UInt8, UInt8)) -> Datagram? {
            guard packet.count >= 28, packet[0] >> 4 == 4, packet[9] == 17 else { return nil }
            let headerLength = Int(packet[0] & 0x0f) * 4
            guard headerLength >= 20, packet.count >= headerLength + 8 else { return nil }
            // Fragments other than the first carry no UDP header: not ours.
            guard (UInt16(packet[6] & 0x1f) << 8 | UInt16(packet[7])) == 0 else { return nil }
            guard (packet[16], packet[17], packet[18], packet[19]) == group else { return nil }
            let destinationPort = UInt16(packet[headerLength + 2]) << 8 | UInt16(packet[headerLength + 3])
            guard destinationPort == port else { return nil }
            let sourcePort = Int(UInt16(packet[headerLength]) << 8 | UInt16(packet[headerLength + 1]))
            let udpLength = Int(UInt16(packet[headerLength + 4]) << 8 | UInt16(packet[headerLength + 5]))
            let end = min(packet.count, headerLength + max(udpLength, 8))
            let source = "\(packet[12]).\(packet[13]).\(packet[14]).\(packet[15])"
            return Datagram(sourceIP: source, sourcePort: sourcePort, payload: Array(packet[(headerLength + 8)..<end]))
        }
    }

    /// `struct sockaddr_ll` (linux/if_packet.h).
    private struct LinkLayerAddress {
        var family: UInt16
        var `protocol`: UInt16
        var ifindex: Int32
        var hatype: UInt16 = 0
        var pkttype: UInt8 = 0
        var halen: UInt8 = 0
        var address: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0)
    }

    /// `struct packet_mreq` (linux/if_packet.h).
    private struct PacketMembership {
        var ifindex: Int32
        var type: UInt16
        var length: UInt16
        var address: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)

        init(ifindex: Int32, type: UInt16, length: UInt16, address bytes: [UInt8]) {
            self.ifindex = ifindex
            self.type = type
            self.length = length
            var padded = bytes + Array(repeating: 0, count: 8)
            address = (padded[0], padded[1], padded[2], padded[3], padded[4], padded[5], padded[6], padded[7])
            padded.removeAll()
        }
    }
#endif

/// PnP discovery cannot listen.
public enum DiscoveryError: Error, Hashable, Sendable, CustomStringConvertible {
    case interface(String, String)
    case packetSocket(String)

    public var description: String {
        switch self {
        case .interface(let name, let reason): "cannot listen for PnP on \(name): \(reason)"
        case .packetSocket(let reason): "cannot open a packet socket (\(reason)); PnP discovery beside Asterisk needs CAP_NET_RAW"
        }
    }
}
