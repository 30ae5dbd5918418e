#if canImport(Glibc)
    import Glibc
#endif

/// The sending side of systemd's notify protocol: `KEY=VALUE` lines in one datagram to the
/// `AF_UNIX` socket that `NOTIFY_SOCKET` names, as sd_notify(3) sends them, without libsystemd.
public struct SystemdNotifier: Sendable, CustomStringConvertible {
    /// The socket's `sun_path` bytes: a file path, or a NUL then the name for an abstract socket.
    let pathBytes: [UInt8]
    /// `NOTIFY_SOCKET` as given, for log lines.
    public let description: String

    /// The notifier `NOTIFY_SOCKET` asks for.
    /// - Parameter environment: The process environment.
    /// - Returns: nil when `NOTIFY_SOCKET` is unset or empty: not started by systemd, nothing to tell.
    /// - Throws: ``SystemdNotifyError/unusableAddress(_:)`` for a value that is neither an absolute path nor `@name`.
    public init?(environment: [String: String]) throws(SystemdNotifyError) {
        guard let value = environment["NOTIFY_SOCKET"], !value.isEmpty else { return nil }
        try self.init(address: value)
    }

    /// - Parameter address: An absolute path, or `@name` for a socket in the abstract namespace.
    public init(address: String) throws(SystemdNotifyError) {
        var bytes = Array(address.utf8)
        if bytes.first == UInt8(ascii: "@") {
            bytes[0] = 0
        } else if bytes.first != UInt8(ascii: "/") {
            throw .unusableAddress(address)
        }
        // sun_path holds 108 bytes, and a path needs its terminating NUL.
        guard bytes.count > 1, bytes.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path) else { throw .unusableAddress(address) }
        pathBytes = bytes
        description = address
    }

    /// Sends `message` (one or more `KEY=VALUE` lines) as one datagram.
    ///
    /// When the receiver's queue is full this waits for room, at most one second; after that the message
    /// is lost and this throws, which is better than a daemon that stalls because its supervisor does.
    public func send(_ message: String) throws(SystemdNotifyError) {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .send(description, Self.reason(errno)) }
        defer { close(descriptor) }
        var limit = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            path.copyBytes(from: pathBytes)
        }
        // An abstract name is exactly its bytes; a path may be followed by its NUL.
        let length = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + pathBytes.count + (pathBytes[0] == 0 ? 0 : 1)
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                sendto(descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, socklen_t(length))
            }
        }
        guard sent == bytes.count else { throw .send(description, sent < 0 ? Self.reason(errno) : "short write") }
    }

    static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// Why a systemd notification could not be sent.
public enum SystemdNotifyError: Error, Equatable, CustomStringConvertible {
    /// `NOTIFY_SOCKET` is not an absolute path or `@name` that fits a socket address.
    case unusableAddress(String)
    /// The datagram did not go out: the socket, and the system's reason.
    case send(String, String)

    public var description: String {
        switch self {
        case .unusableAddress(let address): "NOTIFY_SOCKET '\(address)' is neither an absolute path nor an @abstract name of at most 107 bytes"
        case .send(let address, let reason): "cannot notify systemd through NOTIFY_SOCKET \(address): \(reason)"
        }
    }
}
