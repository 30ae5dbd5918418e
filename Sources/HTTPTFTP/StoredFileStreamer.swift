import NIOCore
import NIOPosix
import Provisioning

#if canImport(Glibc)
    import Glibc
#endif

/// Sends a byte range of a file on disk to a channel, 256 KiB at a time.
///
/// Reads run on NIO's blocking-I/O thread pool, never on the event loop; the
/// next read starts only when the previous chunk was written, so a slow phone
/// holds at most one chunk in memory.
enum StoredFileStreamer {
    static let chunkSize: Int64 = 256 * 1024

    struct ReadFailure: Error, CustomStringConvertible {
        let description: String
    }

    static func stream(_ path: String, range: ClosedRange<Int64>, to channel: any Channel) -> EventLoopFuture<Void> {
        let pool = NIOThreadPool.singleton
        let opened = pool.runIfActive(eventLoop: channel.eventLoop) { () -> CInt in
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw ReadFailure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
            return fd
        }
        return opened.flatMap { fd in
            let done = chunk(fd: fd, offset: range.lowerBound, end: range.upperBound + 1, channel: channel, pool: pool)
            done.whenComplete { _ in close(fd) }
            return done
        }
    }

    private static func chunk(fd: CInt, offset: Int64, end: Int64, channel: any Channel, pool: NIOThreadPool) -> EventLoopFuture<Void> {
        guard offset < end else { return channel.eventLoop.makeSucceededVoidFuture() }
        let length = Int(min(chunkSize, end - offset))
        let allocator = channel.allocator
        return pool.runIfActive(eventLoop: channel.eventLoop) { () -> ByteBuffer in
            var buffer = allocator.buffer(capacity: length)
            let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { pointer in
                max(0, pread(fd, pointer.baseAddress, length, off_t(offset)))
            }
            guard read == length else { throw ReadFailure(description: "short read at \(offset): the file changed on disk") }
            return buffer
        }.flatMap { buffer in
            channel.writeAndFlush(buffer)
        }.flatMap {
            chunk(fd: fd, offset: offset + Int64(length), end: end, channel: channel, pool: pool)
        }
    }

    /// Parses a single `bytes=` range against `size` (RFC 9110 §14.1.2).
    /// - Returns: nil when there is no usable range (serve everything); `.failure` when it cannot be satisfied.
    static func range(_ header: String?, size: Int64) -> Result<ClosedRange<Int64>, ReadFailure>? {
        guard let header, header.lowercased().hasPrefix("bytes="), size > 0 else { return nil }
        let spec = header.dropFirst(6)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingCharacters(in: " ")
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: " ")
        if first.isEmpty {
            guard let suffix = Int64(last), suffix > 0 else { return .failure(ReadFailure(description: "bad range")) }
            return .success(max(0, size - suffix)...(size - 1))
        }
        guard let start = Int64(first), start < size else { return .failure(ReadFailure(description: "range starts past the end")) }
        let end = last.isEmpty ? size - 1 : min(Int64(last) ?? -1, size - 1)
        guard end >= start else { return .failure(ReadFailure(description: "bad range")) }
        return .success(start...end)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in character: Character) -> Substring {
        var result = self
        while result.first == character { result.removeFirst() }
        while result.last == character { result.removeLast() }
        return result
    }
}
