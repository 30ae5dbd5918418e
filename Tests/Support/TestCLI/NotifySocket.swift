import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A datagram socket the test owns, standing in for systemd's end of `NOTIFY_SOCKET`.
public final class NotifySocket: Sendable {
    /// What `NOTIFY_SOCKET` should be set to: the path, or `@name` for an abstract socket.
    public let address: String
    private let descriptor: Int32

    /// Binds a socket at `path`, or in the abstract namespace when `path` starts with `@`.
    public init(_ path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + (bytes[0] == 0 ? 0 : 1)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) } }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        self.address = path
        descriptor = fd
    }

    deinit {
        close(descriptor)
        if !address.hasPrefix("@") { unlink(address) }
    }

    /// The next datagram, or nil when none comes within `timeout`. Waits on a thread outside the concurrency pool.
    public func receive(timeout: Duration = .seconds(10)) async -> String? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.receiveBlocking(timeout: timeout)) }
        }
    }

    /// Every datagram until `last` arrives, or until none comes for `quiet`. Reading as they come keeps the
    /// socket's small queue from filling, which would make the sender drop messages.
    public func collect(until last: String, quiet: Duration = .seconds(10)) async -> [String] {
        var messages: [String] = []
        while let message = await receive(timeout: quiet) {
            messages.append(message)
            if message == last { break }
        }
        return messages
    }

    private func receiveBlocking(timeout: Duration) -> String? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&poller, 1, milliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }
}
