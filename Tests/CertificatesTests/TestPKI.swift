import Crypto
import Foundation
import SwiftASN1
import X509

/// Certificates made in the tests: vendor CAs, phones' device certificates, server chains.
///
/// P-256 keys: they are made in microseconds, and nothing under test depends on the key type.
struct TestPKI {
    let certificate: Certificate
    let key: Certificate.PrivateKey

    var certificatePEM: String { try! certificate.serializeAsPEM().pemString + "\n" }
    var keyPEM: String { try! key.serializeAsPEM().pemString + "\n" }
    var der: [UInt8] {
        var serializer = DER.Serializer()
        try! serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    /// A self-signed CA.
    static func root(_ commonName: String, now: Date = Date()) throws -> TestPKI {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName { CommonName(commonName) }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-365 * 86_400), notValidAfter: now.addingTimeInterval(365 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: key.publicKey)
            },
            issuerPrivateKey: key)
        return TestPKI(certificate: certificate, key: key)
    }

    /// A certificate this one signs.
    func issue(
        subject: DistinguishedName, names: [GeneralName] = [], isCA: Bool = false,
        notBefore: Date = Date().addingTimeInterval(-86_400), notAfter: Date = Date().addingTimeInterval(30 * 86_400)
    ) throws -> TestPKI {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: key.publicKey,
            notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: self.certificate.subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                if isCA {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                } else {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                }
                if !names.isEmpty { SubjectAlternativeNames(names) }
                SubjectKeyIdentifier(hash: key.publicKey)
                AuthorityKeyIdentifier(keyIdentifier: try self.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
            },
            issuerPrivateKey: self.key)
        return TestPKI(certificate: certificate, key: key)
    }

    /// A certificate with subject CN `commonName` this one signs.
    func issue(commonName: String, names: [GeneralName] = [], isCA: Bool = false) throws -> TestPKI {
        try issue(subject: DistinguishedName { CommonName(commonName) }, names: names, isCA: isCA)
    }

    /// A self-signed leaf, which no CA vouches for.
    static func selfSigned(commonName: String) throws -> TestPKI {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName { CommonName(commonName) }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: key.publicKey,
            notValidBefore: Date().addingTimeInterval(-86_400), notValidAfter: Date().addingTimeInterval(30 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: Certificate.Extensions(), issuerPrivateKey: key)
        return TestPKI(certificate: certificate, key: key)
    }
}
