import Atomics

/// A file as served to a phone.
public struct ServedFile: Sendable {
    /// The exact bytes of the body.
    public let body: [UInt8]
    /// The HTTP content type.
    public let contentType: String
    /// Where a transport keeps the file in the form it sends it, made on the first fetch and reused by
    /// every later one while the snapshot lasts. Provisioning never looks inside.
    public let wireForm = WireFormSlot()
    /// The vendor of the phone whose own file this is, when its record or MAC prefix names one; nil
    /// for shared files, and for a phone whose vendor only the User-Agent can tell.
    public let vendor: Vendor?

    public init(body: String, contentType: String, vendor: Vendor? = nil) {
        self.body = Array(body.utf8)
        self.contentType = contentType
        self.vendor = vendor
    }
}

/// One transport's encoding of a ``ServedFile`` (an HTTP response ready for the socket, say), kept
/// with the file so that a snapshot's files are encoded once, not once per request.
///
/// It lives and dies with the file it belongs to, so a new snapshot starts with empty slots and a
/// stale encoding can never be sent.
public final class WireFormSlot: Sendable {
    /// Set once and read by every request for the file, from every event loop: a lazy reference
    /// reads with one atomic load, where a lock would pass its cache line between the loops.
    private let form = ManagedAtomicLazyReference<Encoding>()

    /// Holds a transport's encoding, whatever its type; a class, as the lazy reference needs one.
    private final class Encoding: Sendable {
        let value: any AnyObject & Sendable

        init(_ value: any AnyObject & Sendable) {
            self.value = value
        }
    }

    public init() {}

    /// The encoding stored so far, if any.
    public var value: (any AnyObject & Sendable)? {
        form.load()?.value
    }

    /// Stores `encoding` unless another event loop stored one first; returns the one kept.
    public func store(_ encoding: any AnyObject & Sendable) -> any AnyObject & Sendable {
        form.storeIfNilThenLoad(Encoding(encoding)).value
    }
}

/// A file kept on disk (firmware), served as it is: the transport streams it.
public struct StoredFile: Sendable, Hashable {
    /// Where the bytes are.
    public let location: String
    public let size: Int64
    /// The SHA-256, lowercase hex: the HTTP ETag.
    public let sha256: String
    public let contentType: String
}

/// What the product answers when a phone asks for a file.
public enum ProvisioningAnswer: Sendable {
    /// Serve this file.
    case file(ServedFile, mac: MACAddress?)
    /// Serve this file from disk.
    case stored(StoredFile)
    /// No such file for this phone; the reason is for the log.
    case notFound(String)
    /// The MAC lists refuse the phone.
    case forbidden(String)
    /// The file cannot be made right now (credentials not available); ask again later.
    case unavailable(String, retryAfterSeconds: Int)
}
