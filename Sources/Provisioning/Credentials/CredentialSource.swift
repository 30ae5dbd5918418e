/// Where SIP credentials come from: extension in, account out.
///
/// The local accounts table is one source; the live AMI client is another.
/// The renderer only ever sees this protocol.
public protocol CredentialSource: Sendable {
    /// The credentials of every extension in `extensions` that the source knows.
    ///
    /// Extensions the source does not know are absent from the result.
    /// - Parameter extensions: The extensions wanted.
    /// - Throws: ``CredentialSourceError`` when the source cannot answer right now
    ///   (not yet synced, connection lost); the caller must not guess.
    func credentials(for extensions: Set<String>) async throws(CredentialSourceError) -> [String: SIPCredentials]

    /// Every extension the source knows with its display name, for the company phonebook.
    func phonebook() async throws(CredentialSourceError) -> [PhonebookEntry]
}

/// The credential source cannot answer right now.
public struct CredentialSourceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Why the source cannot answer (`AMI not connected`).
    public let reason: String

    /// - Parameter reason: Why the source cannot answer.
    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { "credentials unavailable: \(reason)" }
}
