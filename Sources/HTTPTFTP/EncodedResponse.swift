import NIOCore
import Provisioning

/// A file's whole 200 response to a kept-alive GET (status line, headers and body), encoded on the
/// first fetch and kept in the file's ``WireFormSlot``: every later fetch writes the same bytes
/// without encoding, allocating or copying anything.
final class EncodedResponse: Sendable {
    let buffer: ByteBuffer

    private init(buffer: ByteBuffer) {
        self.buffer = buffer
    }

    /// The response to a kept-alive GET of `file`.
    static func keptAliveGet(of file: ServedFile, allocator: ByteBufferAllocator) -> ByteBuffer {
        if let encoded = file.wireForm.value as? EncodedResponse { return encoded.buffer }
        let buffer = file.body.withUnsafeBytes { body in
            HTTPResponseWriter.encode(.ok, contentType: file.contentType, body: body, includeBody: true, keepAlive: true, allocator: allocator)
        }
        // Two event loops may encode the same file at once; both then send the one that was kept.
        return (file.wireForm.store(EncodedResponse(buffer: buffer)) as? EncodedResponse)?.buffer ?? buffer
    }
}
