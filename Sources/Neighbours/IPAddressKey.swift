#if canImport(Glibc)
    import Glibc
#endif

/// An IPv4 or IPv6 address as 16 bytes, the form both a kernel entry and a request's peer address reduce to.
///
/// IPv4 is kept as its IPv4-mapped IPv6 form (`::ffff:a.b.c.d`), so a dual-stack
/// socket's peer `::ffff:192.0.2.10` finds the ARP entry of `192.0.2.10`.
struct IPAddressKey: Hashable, Sendable {
    /// Bytes 0–7 and 8–15 of the address, big-endian.
    let high: UInt64
    let low: UInt64

    /// The key of raw address bytes in network order.
    /// - Parameter bytes: 4 bytes (IPv4) or 16 (IPv6); any other count gives nil.
    init?(bytes: some Collection<UInt8>) {
        switch bytes.count {
        case 4:
            high = 0
            low = 0xffff << 32 | bytes.reduce(0) { $0 << 8 | UInt64($1) }
        case 16:
            high = bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
            low = bytes.dropFirst(8).reduce(0) { $0 << 8 | UInt64($1) }
        default:
            return nil
        }
    }

    /// The key of an address as text: `192.0.2.10`, `fe80::1`, `::ffff:192.0.2.10`.
    ///
    /// A zone suffix (`fe80::1%eth0`) is dropped: the table is looked up by address alone.
    /// - Parameter text: The address as `SocketAddress.ipAddress` gives it.
    init?(_ text: String) {
        let address = text.firstIndex(of: "%").map { String(text[..<$0]) } ?? text
        var v4 = in_addr()
        var v6 = in6_addr()
        let key: IPAddressKey?
        if inet_pton(AF_INET, address, &v4) == 1 {
            key = Swift.withUnsafeBytes(of: &v4) { IPAddressKey(bytes: $0) }
        } else if inet_pton(AF_INET6, address, &v6) == 1 {
            key = Swift.withUnsafeBytes(of: &v6) { IPAddressKey(bytes: $0) }
        } else {
            key = nil
        }
        guard let key else { return nil }
        self = key
    }
}
