/// A file as served to a phone.
public struct ServedFile: Sendable {
    /// The exact bytes of the body.
    public let body: [UInt8]
    /// The HTTP content type.
    public let contentType: String

    public init(body: String, contentType: String) {
        self.body = Array(body.utf8)
        self.contentType = contentType
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
