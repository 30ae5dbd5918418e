import Synchronization

/// A file as served to a phone.
public struct ServedFile: Sendable {
    /// The exact bytes of the body.
    public let body: [UInt8]
    /// The HTTP content type.
    public let contentType: String
    /// Where a transport keeps the file in the form it sends it, made on the first fetch and reused by
    /// every later one while the snapshot lasts. Provisioning never looks inside.
    public let wireForm = WireFormSlot()

    public init(body: String, contentType: String) {
        self.body = Array(body.utf8)
        self.contentType = contentType
    }
}

/// One transport's encoding of a ``ServedFile`` (an HTTP response ready for the socket, say), kept
/// with the file so that a snapshot's files are encoded once, not once per request.
///
/// It lives and dies with the file it belongs to, so a new snapshot starts with empty slots and a
/// stale encoding can never be sent.
public final class WireFormSlot: Sendable {
    private let form = Mutex<(any AnyObject & Sendable)?>(nil)

    public init() {}

    /// The encoding stored so far, if any.
    public var value: (any AnyObject & Sendable)? {
        form.withLock { $0 }
    }

    /// Stores `encoding` unless another event loop stored one first; returns the one kept.
    public func store(_ encoding: any AnyObject & Sendable) -> any AnyObject & Sendable {
        form.withLock { form in
            if let existing = form { return existing }
            form = encoding
            return encoding
        }
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
