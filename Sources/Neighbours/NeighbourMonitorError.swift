#if canImport(Glibc)
    import Glibc
#endif

/// The neighbour table cannot be read or followed.
public enum NeighbourMonitorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)` failed with this errno.
    case socket(errno: Int32)
    /// Binding to the neighbour notifications (`RTMGRP_NEIGH`) failed with this errno.
    case bind(errno: Int32)
    /// Sending the `RTM_GETNEIGH` dump request failed with this errno.
    case sendDump(errno: Int32)
    /// The kernel refused or broke off the dump with this errno.
    case dumpRefused(errno: Int32)
    /// Receiving from the netlink socket failed with this errno.
    case receive(errno: Int32)
    /// The first dump did not end within this many seconds.
    case dumpTimedOut(seconds: Int)
    /// ``NeighbourMonitor/run()`` was called a second time.
    case alreadyRunning

    public var description: String {
        switch self {
        case .socket(let errno): "cannot open a netlink socket for the neighbour table: \(Self.describe(errno))"
        case .bind(let errno): "cannot subscribe to neighbour table changes: \(Self.describe(errno))"
        case .sendDump(let errno): "cannot ask the kernel for the neighbour table: \(Self.describe(errno))"
        case .dumpRefused(let errno): "the kernel refused to list the neighbour table: \(Self.describe(errno))"
        case .receive(let errno): "cannot read the neighbour table: \(Self.describe(errno))"
        case .dumpTimedOut(let seconds): "the kernel did not list the neighbour table within \(seconds) s"
        case .alreadyRunning: "the neighbour monitor is already running"
        }
    }

    private static func describe(_ errno: Int32) -> String {
        "\(String(cString: strerror(errno))) (errno \(errno))"
    }
}
