import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// The bytes a TFTP transfer sends: a rendered file held in memory, or a firmware file read block
/// by block from disk, so a transfer of an 80 MB image holds one window of blocks, not the image.
struct TFTPBody: Sendable {
    private enum Storage: Sendable {
        case memory(ByteBuffer)
        case file(TFTPFileReader)
    }

    private let storage: Storage
    /// The size in bytes.
    let size: Int

    /// A body in memory.
    init(_ bytes: ByteBuffer) {
        storage = .memory(bytes)
        size = bytes.readableBytes
    }

    /// A file on disk, opened now (so a file removed later still finishes) and closed with the transfer.
    init?(path: String, size: Int) {
        guard let reader = TFTPFileReader(path: path) else { return nil }
        storage = .file(reader)
        self.size = size
    }

    /// `length` bytes from `offset`; nil when the file cannot be read there.
    func slice(at offset: Int, length: Int) -> ByteBuffer? {
        switch storage {
        case .memory(let buffer):
            // Slices share the buffer's storage: no copy until the packet is encoded.
            return buffer.getSlice(at: buffer.readerIndex + offset, length: length)
        case .file(let reader):
            return reader.read(at: offset, length: length)
        }
    }
}

/// An open file descriptor read with `pread` (no shared offset), closed when the last transfer using it ends.
final class TFTPFileReader: Sendable {
    private let descriptor: Int32

    init?(path: String) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
    }

    deinit {
        close(descriptor)
    }

    /// Blocks are at most 16 KB and the file is usually in the page cache, so this is a short read.
    func read(at offset: Int, length: Int) -> ByteBuffer? {
        var buffer = ByteBufferAllocator().buffer(capacity: length)
        let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { pointer in
            max(0, pread(descriptor, pointer.baseAddress, length, off_t(offset)))
        }
        return count == length ? buffer : nil
    }
}
