/// A certificate, key or TLS file was refused or could not be read or written.
///
/// The description is one line for the admin: which input (a file name, "certificate 2", "block 3")
/// and what is wrong with it, e.g. `server.pem: the key does not match the certificate`.
public struct CertificateError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
