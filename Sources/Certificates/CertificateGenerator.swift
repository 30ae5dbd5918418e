import Crypto
public import Foundation
import SwiftASN1
import X509
import _CryptoExtras

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Makes a private CA and a server certificate it signs, for a daemon without a certificate from a public CA.
///
/// RSA-2048 with SHA-256 because every desk phone that speaks TLS at all accepts it; older firmware
/// rejects ECDSA. The server certificate lives 825 days, the most iOS and several phone browsers accept.
public enum CertificateGenerator {
    /// How long the server certificate is valid, counted from its notBefore.
    static let serverValidity: TimeInterval = 825 * 86_400
    /// How long the CA is valid: phones keep it for years, and replacing it means visiting every phone.
    static let caValidity: TimeInterval = 3_652 * 86_400
    /// Phones with a wrong clock (no NTP yet at first boot, a few minutes off) must accept a fresh certificate.
    static let clockSkew: TimeInterval = 3_600

    /// A private CA and a server certificate signed by it.
    /// - Parameters:
    ///   - hosts: The names and IP addresses phones reach the server by; the first is the server's CN.
    ///   - now: The time the certificates start from (less an hour for clock skew).
    /// - Returns: The CA, and the server identity (leaf, then the CA) with its key.
    /// - Throws: ``CertificateError`` for no hosts or a host that is neither an IP address nor a DNS name.
    public static func generate(hosts: [String], now: Date = Date()) throws(CertificateError) -> (ca: GeneratedCA, server: ServerIdentity) {
        guard let first = hosts.first else { throw CertificateError("no host to make the certificate for") }
        var parsed: [CertificateHost] = []
        for host in hosts {
            let entry = try CertificateHost(host)
            if !parsed.contains(entry) { parsed.append(entry) }
        }
        let notBefore = now.addingTimeInterval(-clockSkew)
        do {
            let caKey = Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048))
            let caName = try DistinguishedName {
                OrganizationName("Autoprovision")
                CommonName("Autoprovision CA \(machineName() ?? first)")
            }
            let caKeyID = SubjectKeyIdentifier(hash: caKey.publicKey)
            let caCertificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: caKey.publicKey,
                notValidBefore: notBefore,
                notValidAfter: notBefore.addingTimeInterval(caValidity),
                issuer: caName,
                subject: caName,
                signatureAlgorithm: .sha256WithRSAEncryption,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                    Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                    caKeyID
                },
                issuerPrivateKey: caKey
            )

            let serverKey = Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048))
            let serverCertificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: serverKey.publicKey,
                notValidBefore: notBefore,
                notValidAfter: notBefore.addingTimeInterval(serverValidity),
                issuer: caName,
                subject: try DistinguishedName { CommonName(first) },
                signatureAlgorithm: .sha256WithRSAEncryption,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                    try ExtendedKeyUsage([.serverAuth])
                    SubjectAlternativeNames(parsed.map(\.generalName))
                    SubjectKeyIdentifier(hash: serverKey.publicKey)
                    AuthorityKeyIdentifier(keyIdentifier: caKeyID.keyIdentifier)
                },
                issuerPrivateKey: caKey
            )

            let ca = GeneratedCA(
                certificate: caCertificate, certificatePEM: caCertificate.pemText, privateKeyPEM: try caKey.serializeAsPEM().pemString + "\n")
            let server = try ServerIdentity(
                certificatePEM: serverCertificate.pemText + caCertificate.pemText,
                privateKeyPEM: try serverKey.serializeAsPEM().pemString + "\n",
                now: now
            )
            return (ca, server)
        } catch let error as CertificateError {
            throw error
        } catch {
            throw CertificateError("cannot make the certificates: \(Certificate.reason(error))")
        }
    }

    /// This machine's host name, so that CAs of two installations differ in the phones' certificate lists.
    private static func machineName() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return nil }
        let name = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty || name == "localhost" ? nil : name
    }
}
