public import Provisioning
import Synchronization

/// The kernel's neighbour table (ARP and NDP) held in memory, for asking per request which MAC stands behind a peer's IP.
///
/// ``NeighbourMonitor`` fills it from one rtnetlink dump and keeps it current
/// from the kernel's notifications, so a lookup is one dictionary read under a
/// lock: no syscall, no file, no process.
///
/// Only resolved entries (REACHABLE, STALE, DELAY, PROBE, PERMANENT, NOARP) with
/// a 6-byte link-layer address are held; an INCOMPLETE or FAILED entry, or one
/// without an address, removes what was held for its address on that interface.
/// Proxy entries are this host's own answers, not neighbours, and are ignored.
///
/// An address seen on several interfaces (IPv6 link-local, say) is held per
/// interface, and answers only while every interface names the same MAC: an
/// address two machines claim identifies neither.
///
/// The table holds at most ``capacity`` entries (address and interface pairs).
/// When full, entries for new pairs are dropped while known ones still update
/// and delete: a phone that arrives then gets no match, which refuses rather than
/// trusts, and the first dump is not displaced by later churn.
public final class NeighbourCache: Sendable {
    /// The most entries held; the kernel's own default limit (`gc_thresh3`) is 1,024 per family.
    public let capacity: Int
    private let table = Mutex(Table())

    /// The link-layer address one interface gives an address.
    struct Link: Hashable, Sendable {
        var interfaceIndex: Int32
        var mac: MACAddress
    }

    struct Table: Sendable {
        var links: [IPAddressKey: [Link]] = [:]
        var count = 0
        /// Entries left out because the table was full, since it was last told.
        var dropped = 0
    }

    /// - Parameter capacity: The most address and interface pairs held (65,536 by default).
    public init(capacity: Int = 65_536) {
        self.capacity = capacity
    }

    /// The MAC behind `ip`, if the kernel has resolved it and no two interfaces disagree.
    /// - Parameter ip: An IPv4 or IPv6 address as text (`192.0.2.10`, `fe80::1`, `::ffff:192.0.2.10`).
    /// - Returns: nil for an unknown, unresolved or ambiguous address, or text that is no address.
    public func mac(for ip: String) -> MACAddress? {
        guard let key = IPAddressKey(ip) else { return nil }
        return table.withLock { Self.mac(in: $0.links[key]) }
    }

    /// Whether the kernel's table maps `ip` to `mac`, as ``mac(for:)`` answers it.
    /// - Parameters:
    ///   - mac: The MAC the requester is expected to have.
    ///   - ip: The requester's address as text.
    public func holds(_ mac: MACAddress, for ip: String) -> Bool {
        self.mac(for: ip) == mac
    }

    /// The number of address and interface pairs held.
    public var count: Int {
        table.withLock { $0.count }
    }

    /// Sets or clears what `ip` maps to on one interface, as a kernel entry would: for tests of the callers.
    /// - Parameters:
    ///   - mac: The MAC, or nil to remove the entry.
    ///   - ip: The address as text; text that is no address changes nothing.
    ///   - interfaceIndex: The interface the entry is on.
    package func record(_ mac: MACAddress?, for ip: String, interfaceIndex: Int32 = 1) {
        guard let key = IPAddressKey(ip) else { return }
        table.withLock { Self.set(mac, key: key, interfaceIndex: interfaceIndex, in: &$0, capacity: capacity) }
    }

    /// Applies one notification.
    func apply(_ message: NeighbourMessage) {
        table.withLock { Self.apply(message, to: &$0, capacity: capacity) }
    }

    /// Replaces the whole table with a dump's entries, then applies the notifications that arrived while it was read.
    ///
    /// The new table is built outside the lock, so lookups wait only for the swap.
    func replace(with snapshot: [NeighbourMessage], then notifications: [NeighbourMessage]) {
        var fresh = Table()
        for message in snapshot { Self.apply(message, to: &fresh, capacity: capacity) }
        table.withLock { current in
            fresh.dropped += current.dropped
            current = fresh
            for message in notifications { Self.apply(message, to: &current, capacity: capacity) }
        }
    }

    /// The number of entries dropped because the table was full since the last call, which resets it.
    func takeDropped() -> Int {
        table.withLock { table in
            defer { table.dropped = 0 }
            return table.dropped
        }
    }

    private static func mac(in links: [Link]?) -> MACAddress? {
        guard let links, let first = links.first else { return nil }
        return links.allSatisfy { $0.mac == first.mac } ? first.mac : nil
    }

    private static func apply(_ message: NeighbourMessage, to table: inout Table, capacity: Int) {
        guard !message.isProxy, let key = IPAddressKey(bytes: message.destination) else { return }
        let mac = message.change == .updated && message.state.isResolved ? message.linkLayerAddress : nil
        set(mac, key: key, interfaceIndex: message.interfaceIndex, in: &table, capacity: capacity)
    }

    private static func set(_ mac: MACAddress?, key: IPAddressKey, interfaceIndex: Int32, in table: inout Table, capacity: Int) {
        var links = table.links[key] ?? []
        let existing = links.firstIndex { $0.interfaceIndex == interfaceIndex }
        switch (mac, existing) {
        case (let mac?, let index?):
            links[index].mac = mac
        case (let mac?, nil):
            guard table.count < capacity else {
                table.dropped += 1
                return
            }
            links.append(Link(interfaceIndex: interfaceIndex, mac: mac))
            table.count += 1
        case (nil, let index?):
            links.remove(at: index)
            table.count -= 1
        case (nil, nil):
            return
        }
        table.links[key] = links.isEmpty ? nil : links
    }
}

/// The fetch guard asks the cache which MAC an address belongs to.
extension NeighbourCache: NeighbourLookup {}
