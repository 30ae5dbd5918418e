import Certificates
import Foundation
import Provisioning
import SwiftASN1
import Testing
import X509

/// Phones' factory certificates against a vendor device CA made here.
struct DeviceCertificateVerifierTests {
    static let mac = try! MACAddress(parsing: "001565aabbcc")

    let vendor: TestPKI
    let verifier: DeviceCertificateVerifier

    init() throws {
        vendor = try TestPKI.root("Yealink Equipment Issuing CA")
        verifier = try DeviceCertificateVerifier(pemBundle: try TestPKI.root("Snom Device CA").certificatePEM + vendor.certificatePEM)
    }

    @Test func countsTheAuthorities() {
        #expect(verifier.authorityCount == 2)
    }

    @Test func acceptsADeviceCertificateNamingItsMACInTheCommonName() async throws {
        let phone = try vendor.issue(commonName: "001565AABBCC")
        let identity = await verifier.verify(chain: [phone.der])
        #expect(identity == DeviceIdentity(mac: Self.mac, subject: "CN=001565AABBCC"))
    }

    @Test func acceptsAModelAndMACCommonName() async throws {
        let phone = try vendor.issue(commonName: "SIP-T46S-00:15:65:aa:bb:cc")
        #expect(await verifier.verify(chain: [phone.der])?.mac == Self.mac)
    }

    @Test func acceptsAMACOnlyInTheSubjectAlternativeName() async throws {
        let phone = try vendor.issue(commonName: "Yealink Phone", names: [.uniformResourceIdentifier("urn:mac:001565aabbcc")])
        let identity = await verifier.verify(chain: [phone.der])
        #expect(identity?.mac == Self.mac)
        #expect(identity?.subject == "CN=Yealink Phone")
    }

    @Test func acceptsAChainThroughAnIntermediate() async throws {
        let intermediate = try vendor.issue(commonName: "Yealink Intermediate", isCA: true)
        let phone = try intermediate.issue(commonName: "001565AABBCC")
        #expect(await verifier.verify(chain: [phone.der, intermediate.der])?.mac == Self.mac)
        // Without the intermediate, the leaf does not reach the root.
        #expect(await verifier.verify(chain: [phone.der]) == nil)
    }

    @Test func refusesASelfSignedCertificateWithTheRightMAC() async throws {
        let phone = try TestPKI.selfSigned(commonName: "001565AABBCC")
        #expect(await verifier.verify(chain: [phone.der]) == nil)
    }

    @Test func refusesACertificateOfAnotherCA() async throws {
        let other = try TestPKI.root("Yealink Equipment Issuing CA")
        let phone = try other.issue(commonName: "001565AABBCC")
        #expect(await verifier.verify(chain: [phone.der]) == nil)
        // Sending the other CA along does not make it trusted.
        #expect(await verifier.verify(chain: [phone.der, other.der]) == nil)
    }

    @Test func refusesAnExpiredDeviceCertificate() async throws {
        let phone = try vendor.issue(
            subject: DistinguishedName { CommonName("001565AABBCC") },
            notBefore: Date().addingTimeInterval(-20 * 86_400), notAfter: Date().addingTimeInterval(-10 * 86_400))
        #expect(await verifier.verify(chain: [phone.der]) == nil)
        // At a time it was valid, it is accepted: the refusal is the expiry.
        #expect(await verifier.verify(chain: [phone.der], now: Date().addingTimeInterval(-15 * 86_400))?.mac == Self.mac)
    }

    @Test func refusesATrustedCertificateWithoutAMAC() async throws {
        let phone = try vendor.issue(commonName: "Yealink Phone", names: [.dnsName("phone.example")])
        #expect(await verifier.verify(chain: [phone.der]) == nil)
    }

    @Test func refusesGarbage() async throws {
        #expect(await verifier.verify(chain: []) == nil)
        #expect(await verifier.verify(chain: [[0x30, 0x03, 0x02, 0x01, 0x00]]) == nil)
        #expect(await verifier.verify(chain: [Array("001565AABBCC".utf8)]) == nil)
        let phone = try vendor.issue(commonName: "001565AABBCC")
        #expect(await verifier.verify(chain: [phone.der, [0xFF, 0x00]]) == nil)
    }

    @Test func refusesAGarbageBundleNamingTheBlock() throws {
        let good = vendor.certificatePEM
        let garbage = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"
        let error = try #require(throws: Certificates.CertificateError.self) { try DeviceCertificateVerifier(pemBundle: good + garbage) }
        #expect(error.description.hasPrefix("device CA bundle: block 2 is not a valid certificate: "), "\(error)")

        let key = try #require(throws: Certificates.CertificateError.self) { try DeviceCertificateVerifier(pemBundle: good + vendor.keyPEM) }
        #expect(key.description == "device CA bundle: block 2 is a PRIVATE KEY, not a CERTIFICATE")

        #expect(throws: Certificates.CertificateError("device CA bundle: contains no PEM CERTIFICATE block")) {
            try DeviceCertificateVerifier(pemBundle: "")
        }
        #expect(throws: Certificates.CertificateError("device CA bundle: contains no PEM CERTIFICATE block")) {
            try DeviceCertificateVerifier(pemBundle: "not PEM at all")
        }
    }
}
