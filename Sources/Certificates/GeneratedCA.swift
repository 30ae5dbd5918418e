public import X509

/// The private CA that ``CertificateGenerator`` made to sign the server certificate.
///
/// Phones trust the server only once this CA is loaded into them (or into the vendor template's
/// trusted-certificate key); its key is kept to sign the next server certificate for the same phones.
public struct GeneratedCA: Sendable {
    public let certificate: Certificate
    public let certificatePEM: String
    public let privateKeyPEM: String

    public init(certificate: Certificate, certificatePEM: String, privateKeyPEM: String) {
        self.certificate = certificate
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }
}
