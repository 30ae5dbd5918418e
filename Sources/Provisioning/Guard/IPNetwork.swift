import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An IPv4 or IPv6 network in CIDR form (`192.0.2.0/24`, `2001:db8::/32`), for `trusted-networks`.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The network's address bytes (4 or 16), host bits cleared.
    let bytes: [UInt8]
    /// The prefix length.
    let prefix: Int

    /// - Parameter text: `address/prefix`, or a bare address for a single host.
    /// - Throws: ``StoreError/invalidValue(_:)`` naming the entry.
    public init(parsing text: String) throws(StoreError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.bytes(of: String(parts[0])) else {
            throw .invalidValue("'\(text)' is not an IPv4 or IPv6 network (like 192.0.2.0/24 or 2001:db8::/32)")
        }
        let bits = address.count * 8
        let prefix = parts.count == 2 ? Int(parts[1]) : bits
        guard let prefix, (0...bits).contains(prefix) else {
            throw .invalidValue("'\(text)': the prefix length must be 0 to \(bits)")
        }
        self.prefix = prefix
        self.bytes = Self.masked(address, prefix: prefix)
    }

    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &text, socklen_t(text.count)) }
        let length = text.firstIndex(of: 0) ?? text.count
        return "\(String(decoding: text[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self))/\(prefix)"
    }

    /// Whether `ip` lies in the network; an IPv4-mapped IPv6 address counts as its IPv4 address.
    public func contains(_ ip: String) -> Bool {
        Self.bytes(of: ip).map { contains(bytes: $0) } ?? false
    }

    /// Whether the address with these 4 or 16 bytes lies in the network.
    func contains(bytes address: [UInt8]) -> Bool {
        address.count == bytes.count && Self.masked(address, prefix: prefix) == bytes
    }

    /// The 4 or 16 bytes of an address; `::ffff:a.b.c.d` gives the 4 bytes of `a.b.c.d`.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff { return Array(bytes[12...]) }
        return bytes
    }

    static func masked(_ bytes: [UInt8], prefix: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let kept = max(0, min(8, prefix - index * 8))
            return kept == 8 ? byte : byte & ~(UInt8(0xff) >> kept)
        }
    }

    /// The address as bans and logs name it: an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a
    /// dual-stack socket reports for an IPv4 client) as its IPv4 address, anything else unchanged.
    public static func canonical(_ ip: String) -> String {
        guard ip.hasPrefix("::ffff:") || ip.hasPrefix("::FFFF:") else { return ip }
        let tail = String(ip.dropFirst(7))
        return bytes(of: tail)?.count == 4 ? tail : ip
    }

    /// Whether `text` is an IPv4 or IPv6 address.
    public static func isAddress(_ text: String) -> Bool { bytes(of: text) != nil }

    /// `127.0.0.0/8` and `::1`: the host itself.
    public static func isLoopback(_ ip: String) -> Bool {
        guard let address = bytes(of: ip) else { return false }
        return address.count == 4 ? address[0] == 127 : address == Array(repeating: 0, count: 15) + [1]
    }

    /// Parses a `trusted-networks` value: networks separated by commas, spaces or new lines.
    public static func list(_ text: String) throws(StoreError) -> [IPNetwork] {
        var result: [IPNetwork] = []
        for item in text.split(whereSeparator: { $0 == "," || $0.isWhitespace }) {
            let network = try IPNetwork(parsing: String(item))
            if !result.contains(network) { result.append(network) }
        }
        return result
    }
}
