public import Foundation
import Provisioning
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// Checks a phone's client certificate chain against the vendor device CAs of `settings set device-ca`.
///
/// Phones of Yealink, Snom, Polycom and others carry a factory certificate naming their MAC, issued by
/// the vendor's device CA. A chain that verifies to one of those CAs proves the MAC without a token.
public struct DeviceCertificateVerifier: Sendable {
    private let roots: [Certificate]

    /// Parses the vendor CAs.
    /// - Parameter pemBundle: One or more PEM `CERTIFICATE` blocks.
    /// - Throws: ``CertificateError`` naming the block that is not a certificate, or for a bundle without any.
    public init(pemBundle: String) throws(CertificateError) {
        let source = "device CA bundle"
        var roots: [Certificate] = []
        for (index, block) in try PEMBlock.blocks(in: pemBundle, source: source).enumerated() {
            roots.append(try Certificate.parse(block, what: "\(source): block \(index + 1)"))
        }
        guard !roots.isEmpty else { throw CertificateError("\(source): contains no PEM CERTIFICATE block") }
        self.roots = roots
    }

    /// How many CAs the bundle holds.
    public var authorityCount: Int { roots.count }

    /// The phone's identity, when its chain is trusted and names a MAC.
    /// - Parameters:
    ///   - chain: The DER certificates the client sent, leaf first, as TLS delivers them.
    ///   - now: The time the certificates must be valid at.
    /// - Returns: `nil` for a chain that does not verify to one of the CAs (untrusted, self-signed, expired,
    ///   not DER) or whose leaf names no MAC.
    public func verify(chain: [[UInt8]], now: Date = Date()) async -> DeviceIdentity? {
        guard !chain.isEmpty else { return nil }
        let certificates: [Certificate]
        do {
            certificates = try chain.map { bytes in try Certificate(derEncoded: bytes) }
        } catch {
            return nil
        }
        let leaf = certificates[0]
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
            RFC5280Policy(fixedExpiryValidationTime: now)
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(certificates.dropFirst()))
        guard case .validCertificate = result, let mac = DeviceCertificateName.mac(in: leaf) else { return nil }
        return DeviceIdentity(mac: mac, subject: leaf.subject.description)
    }
}
