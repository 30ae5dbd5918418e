import Certificates
import Foundation
import Testing
import X509

/// What `tls import` refuses, and that a refusal writes nothing.
struct ServerIdentityTests {
    /// A root, an intermediate it signs, and a server leaf the intermediate signs.
    struct Chain {
        let root: TestPKI
        let intermediate: TestPKI
        let leaf: TestPKI

        init(leafNotBefore: Date = Date().addingTimeInterval(-86_400), leafNotAfter: Date = Date().addingTimeInterval(90 * 86_400)) throws {
            root = try TestPKI.root("Test Root")
            intermediate = try root.issue(commonName: "Test Intermediate", isCA: true)
            leaf = try intermediate.issue(
                subject: DistinguishedName { CommonName("pbx.example") }, names: [.dnsName("pbx.example")],
                notBefore: leafNotBefore, notAfter: leafNotAfter)
        }
    }

    @Test func acceptsAChainInOrderAcrossTheCertificateAndChainFiles() throws {
        let chain = try Chain()
        let identity = try ServerIdentity(
            certificatePEM: chain.leaf.certificatePEM, privateKeyPEM: chain.leaf.keyPEM,
            chainPEM: chain.intermediate.certificatePEM + chain.root.certificatePEM)
        #expect(identity.chain == [chain.leaf.certificate, chain.intermediate.certificate, chain.root.certificate])
        #expect(identity.leaf == chain.leaf.certificate)
        #expect(identity.certificatePEM.components(separatedBy: "-----BEGIN CERTIFICATE-----").count == 4)

        // The full chain as the certificate and the chain again: each certificate once.
        let doubled = try ServerIdentity(
            certificatePEM: chain.leaf.certificatePEM + chain.intermediate.certificatePEM, privateKeyPEM: chain.leaf.keyPEM,
            chainPEM: chain.intermediate.certificatePEM)
        #expect(doubled.chain == [chain.leaf.certificate, chain.intermediate.certificate])
    }

    @Test func acceptsCRLFAndTextBetweenBlocks() throws {
        let chain = try Chain()
        let bundle = "subject=CN = pbx.example\n" + chain.leaf.certificatePEM + "issuer=CN = Test Root\n" + chain.intermediate.certificatePEM
        let identity = try ServerIdentity(
            certificatePEM: bundle.replacingOccurrences(of: "\n", with: "\r\n"), privateKeyPEM: chain.leaf.keyPEM)
        #expect(identity.chain.count == 2)
    }

    @Test func refusesAKeyForAnotherCertificate() throws {
        let chain = try Chain()
        let error = try #require(throws: Certificates.CertificateError.self) {
            try ServerIdentity(
                certificatePEM: chain.leaf.certificatePEM, privateKeyPEM: chain.intermediate.keyPEM, now: Date(),
                names: PEMFileNames(certificate: "server.pem", privateKey: "server.key", chain: "chain.pem"))
        }
        #expect(error.description == "server.key: the key does not match the certificate CN=pbx.example of server.pem")
    }

    @Test func refusesAnExpiredOrNotYetValidCertificate() throws {
        let expired = try Chain(leafNotBefore: Date().addingTimeInterval(-90 * 86_400), leafNotAfter: Date().addingTimeInterval(-86_400))
        let error = try #require(throws: Certificates.CertificateError.self) {
            try ServerIdentity(certificatePEM: expired.leaf.certificatePEM, privateKeyPEM: expired.leaf.keyPEM)
        }
        #expect(error.description.hasPrefix("certificate: the certificate CN=pbx.example expired on "), "\(error)")

        let future = try Chain(leafNotBefore: Date().addingTimeInterval(86_400), leafNotAfter: Date().addingTimeInterval(90 * 86_400))
        let notYet = try #require(throws: Certificates.CertificateError.self) {
            try ServerIdentity(certificatePEM: future.leaf.certificatePEM, privateKeyPEM: future.leaf.keyPEM)
        }
        #expect(notYet.description.hasPrefix("certificate: the certificate CN=pbx.example is not valid before "), "\(notYet)")
    }

    @Test func refusesAChainOutOfOrder() throws {
        let chain = try Chain()
        let reversed = chain.root.certificatePEM + chain.intermediate.certificatePEM + chain.leaf.certificatePEM
        // The key is the leaf's, but the first certificate is the root: the key check comes first.
        let wrongLeaf = try #require(throws: Certificates.CertificateError.self) {
            try ServerIdentity(certificatePEM: reversed, privateKeyPEM: chain.leaf.keyPEM)
        }
        #expect(wrongLeaf.description == "private key: the key does not match the certificate CN=Test Root of certificate")

        let swapped = try #require(throws: Certificates.CertificateError.self) {
            try ServerIdentity(
                certificatePEM: chain.leaf.certificatePEM, privateKeyPEM: chain.leaf.keyPEM,
                chainPEM: chain.root.certificatePEM + chain.intermediate.certificatePEM)
        }
        #expect(
            swapped.description
                == "certificate chain out of order: certificate 2 (CN=Test Root) does not issue certificate 1 (CN=pbx.example)")
    }

    @Test func refusesAnImpostorIssuerWithTheRightName() throws {
        // Same subject as the real intermediate, another key: the names chain, the signature does not.
        let chain = try Chain()
        let impostor = try chain.root.issue(commonName: "Test Intermediate", isCA: true)
        let error = try #require(throws: Certificates.CertificateError.self) {
            try ServerIdentity(
                certificatePEM: chain.leaf.certificatePEM, privateKeyPEM: chain.leaf.keyPEM, chainPEM: impostor.certificatePEM)
        }
        #expect(
            error.description
                == "certificate chain out of order: certificate 2 (CN=Test Intermediate) does not issue certificate 1 (CN=pbx.example)")
    }

    @Test(arguments: [
        ("hello", "cert.pem: not PEM: no -----BEGIN CERTIFICATE----- line"),
        ("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n", "cert.pem: block 1 is not a valid certificate: "),
        ("-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n", "cert.pem: block 1 is not a valid certificate: "),
        ("-----BEGIN CERTIFICATE-----\nMIIB\n", "cert.pem: block 1 (CERTIFICATE) has no END line"),
        ("-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n", "cert.pem: block 1 is a X509 CRL, not a CERTIFICATE"),
    ])
    func refusesGarbageCertificatePEM(garbage: String, message: String) throws {
        let chain = try Chain()
        let error = try #require(throws: Certificates.CertificateError.self) {
            try ServerIdentity(
                certificatePEM: garbage, privateKeyPEM: chain.leaf.keyPEM, now: Date(),
                names: PEMFileNames(certificate: "cert.pem", privateKey: "key.pem", chain: "chain.pem"))
        }
        #expect(error.description.hasPrefix(message), "\(error)")
    }

    @Test func refusesGarbageKeysAndChains() throws {
        let chain = try Chain()
        let names = PEMFileNames(certificate: "cert.pem", privateKey: "key.pem", chain: "chain.pem")
        let cases: [(certificate: String, key: String, chain: String?, message: String)] = [
            (chain.leaf.certificatePEM, "garbage", nil, "key.pem: not PEM: no -----BEGIN PRIVATE KEY----- line"),
            (chain.leaf.certificatePEM, chain.leaf.certificatePEM, nil, "key.pem: contains no private key, only CERTIFICATE"),
            (
                chain.leaf.certificatePEM, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n", nil,
                "key.pem: the PRIVATE KEY is not a valid private key: "
            ),
            (
                chain.leaf.certificatePEM, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nbm90IGEga2V5\n-----END ENCRYPTED PRIVATE KEY-----\n", nil,
                "key.pem: the private key is encrypted; give it without a passphrase"
            ),
            (
                chain.leaf.certificatePEM, chain.leaf.keyPEM,
                chain.intermediate.certificatePEM + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                "chain.pem: block 2 is not a valid certificate: "
            ),
            ("", chain.leaf.keyPEM, nil, "cert.pem: not PEM: no -----BEGIN CERTIFICATE----- line"),
        ]
        for item in cases {
            let error = try #require(throws: Certificates.CertificateError.self) {
                try ServerIdentity(certificatePEM: item.certificate, privateKeyPEM: item.key, chainPEM: item.chain, now: Date(), names: names)
            }
            #expect(error.description.hasPrefix(item.message), "\(error)")
            #expect(!error.description.contains(".swift:"), "\(error)")
        }
    }

    @Test func aRefusedImportWritesNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let files = TLSFiles(databasePath: "\(directory.path)/autoprovision.sqlite")
        let (ca, server) = try CertificateGenerator.generate(hosts: ["192.0.2.10"])
        try files.install(server, ca: ca)
        let before = try directory.snapshot()

        let chain = try Chain()
        let expired = try Chain(leafNotBefore: Date().addingTimeInterval(-90 * 86_400), leafNotAfter: Date().addingTimeInterval(-60))
        let attempts: [() throws -> ServerIdentity] = [
            { try ServerIdentity(certificatePEM: chain.leaf.certificatePEM, privateKeyPEM: chain.root.keyPEM) },
            { try ServerIdentity(certificatePEM: expired.leaf.certificatePEM, privateKeyPEM: expired.leaf.keyPEM) },
            {
                try ServerIdentity(
                    certificatePEM: chain.leaf.certificatePEM, privateKeyPEM: chain.leaf.keyPEM,
                    chainPEM: chain.root.certificatePEM + chain.intermediate.certificatePEM)
            },
            { try ServerIdentity(certificatePEM: "garbage", privateKeyPEM: chain.leaf.keyPEM) },
        ]
        for attempt in attempts {
            // As `tls import` does: validate, and install only what validated.
            #expect(throws: Certificates.CertificateError.self) { try files.install(attempt(), ca: nil) }
        }
        #expect(try directory.snapshot() == before)
    }
}
