#if canImport(Glibc)
    import Glibc
#endif

/// This host's interface addresses, and name resolution, in numeric form.
enum HostAddresses {
    /// Every IPv4 and IPv6 address of an interface that is up, with the interface's name.
    static func local() -> [(address: String, interface: String)] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var found: [(String, String)] = []
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            guard let address = entry.pointee.ifa_addr, Int32(entry.pointee.ifa_flags) & Int32(IFF_UP) != 0 else { continue }
            if let text = numeric(address) { found.append((text, String(cString: entry.pointee.ifa_name))) }
        }
        return found
    }

    /// The numeric text of an IPv4 or IPv6 socket address (scope suffix dropped).
    static func numeric(_ address: UnsafePointer<sockaddr>) -> String? {
        let family = Int32(address.pointee.sa_family)
        guard family == AF_INET || family == AF_INET6 else { return nil }
        let length = socklen_t(family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(address, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { return nil }
        let text = String(decoding: host.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "%").first.map(String.init)
    }

    /// The addresses `name` resolves to, or the resolver's error text.
    static func resolve(_ name: String) -> Result<[String], ResolveError> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &result)
        guard status == 0, let first = result else { return .failure(ResolveError(reason: String(cString: gai_strerror(status)))) }
        defer { freeaddrinfo(result) }
        var addresses: [String] = []
        for entry in sequence(first: first, next: { $0.pointee.ai_next }) {
            if let address = entry.pointee.ai_addr, let text = numeric(address), !addresses.contains(text) { addresses.append(text) }
        }
        return .success(addresses)
    }

    /// Whether `text` is an IPv4 or IPv6 address rather than a name.
    static func isNumeric(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "::1"
    }
}

/// A name did not resolve.
struct ResolveError: Error {
    let reason: String
}
