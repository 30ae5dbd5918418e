import Provisioning

/// One kernel neighbour entry as an `RTM_NEWNEIGH` or `RTM_DELNEIGH` message described it:
/// an ARP (IPv4) or NDP (IPv6) mapping from an address on an interface to a link-layer address.
struct NeighbourMessage: Hashable, Sendable {
    /// Whether the kernel announced the entry (new or changed) or removed it.
    enum Change: Hashable, Sendable {
        case updated
        case deleted
    }

    /// The address family of ``destination``.
    enum Family: Hashable, Sendable {
        case ipv4
        case ipv6

        /// The length of an address of this family, in bytes.
        var addressLength: Int {
            switch self {
            case .ipv4: 4
            case .ipv6: 16
            }
        }
    }

    /// `NTF_PROXY`: the entry is a proxy-ARP/NDP answer of this host, not a neighbour.
    static let proxyFlag: UInt8 = 0x08

    var change: Change
    var family: Family
    var interfaceIndex: Int32
    var state: NeighbourState
    /// The `NTF_*` flags.
    var flags: UInt8
    /// The neighbour's address in network order: 4 bytes for IPv4, 16 for IPv6.
    var destination: [UInt8]
    /// The Ethernet address, when the entry carries a non-zero one of 6 bytes; other link layers are left out,
    /// and so is the all-zero address the kernel gives entries on devices without one (loopback).
    var linkLayerAddress: MACAddress?

    /// Whether the entry is a proxy entry of this host rather than a neighbour.
    var isProxy: Bool { flags & Self.proxyFlag != 0 }
}
