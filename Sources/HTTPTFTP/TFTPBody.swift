import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// The bytes a TFTP transfer sends: a rendered file held in memory, or a firmware file read block
/// by block from disk, so a transfer of an 80 MB image holds one window of blocks, not the image.
struct TFTPBody: Sendable {
    private enum Storage: Sendable {
        case memory([UInt8])
        /// The file as its DATA datagrams, headers included, one after another: each block is sent as a slice.
        case datagrams(ByteBuffer, blockSize: Int)
        case file(TFTPFileReader)
    }

    private let storage: Storage
    /// The size in bytes.
    let size: Int

    /// A body in memory.
    init(_ bytes: [UInt8]) {
        storage = .memory(bytes)
        size = bytes.count
    }

    /// A file on disk, opened now (so a file removed later still finishes) and closed with the transfer.
    init?(path: String, size: Int) {
        guard let reader = TFTPFileReader(path: path) else { return nil }
        storage = .file(reader)
        self.size = size
    }

    private init(storage: Storage, size: Int) {
        self.storage = storage
        self.size = size
    }

    /// The number of DATA blocks, counting the empty final block of a file whose size is a multiple of the block size.
    static func blockCount(size: Int, blockSize: Int) -> Int { size / blockSize + 1 }

    /// This body ready to be sent in blocks of `blockSize`: a body in memory is laid out once as its DATA datagrams,
    /// which costs the one copy a transfer makes of it, so no block is copied again on its way out.
    func prepared(blockSize: Int) -> TFTPBody {
        guard case .memory(let bytes) = storage else { return self }
        let blocks = Self.blockCount(size: size, blockSize: blockSize)
        var buffer = ByteBufferAllocator().buffer(capacity: size + 4 * blocks)
        for block in 1...blocks {
            let start = (block - 1) * blockSize
            buffer.writeInteger(UInt16(3))
            buffer.writeInteger(UInt16(truncatingIfNeeded: block))
            buffer.writeBytes(bytes[start..<min(start + blockSize, bytes.count)])
        }
        return TFTPBody(storage: .datagrams(buffer, blockSize: blockSize), size: size)
    }

    /// Block `block` (from 1) as a DATA datagram in `datagram`, reusing its storage where it has to be written.
    /// - Returns: false when the file cannot be read there.
    func datagram(block: Int, blockSize: Int, into datagram: inout ByteBuffer) -> Bool {
        let start = (block - 1) * blockSize
        let length = max(0, min(blockSize, size - start))
        if case .datagrams(let buffer, let laidOut) = storage, laidOut == blockSize {
            // Every datagram before this one is 4 + blockSize bytes long.
            guard let slice = buffer.getSlice(at: buffer.readerIndex + (block - 1) * (4 + blockSize), length: 4 + length) else { return false }
            datagram = slice
            return true
        }
        // Cleared rather than replaced: once the last datagram has left, its storage is ours alone again.
        datagram.clear()
        datagram.writeInteger(UInt16(3))
        datagram.writeInteger(UInt16(truncatingIfNeeded: block))
        switch storage {
        case .memory(let bytes):
            guard start + length <= bytes.count else { return false }
            datagram.writeBytes(bytes[start..<start + length])
            return true
        case .datagrams:
            // Laid out for another block size, which no transfer asks for.
            return false
        case .file(let reader):
            return reader.read(at: start, length: length, into: &datagram)
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

    /// Appends `length` bytes from `offset` to `buffer`, read straight into it.
    /// Blocks are at most 16 KB and the file is usually in the page cache, so this is a short read.
    func read(at offset: Int, length: Int, into buffer: inout ByteBuffer) -> Bool {
        guard length > 0 else { return true }
        let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { pointer in
            max(0, pread(descriptor, pointer.baseAddress, length, off_t(offset)))
        }
        return count == length
    }
}
