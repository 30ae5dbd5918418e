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

/// What the product answers when a phone asks for a file.
public enum ProvisioningAnswer: Sendable {
    /// Serve this file.
    case file(ServedFile, mac: MACAddress?)
    /// No such file for this phone; the reason is for the log.
    case notFound(String)
    /// The MAC lists refuse the phone.
    case forbidden(String)
    /// The file cannot be made right now (credentials not available); ask again later.
    case unavailable(String, retryAfterSeconds: Int)
}
