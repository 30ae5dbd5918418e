import Certificates
import Foundation
import Testing
import X509

#if canImport(Glibc)
    import Glibc
#endif

struct CertificateGeneratorTests {
    static let hosts = ["pbx.example", "192.0.2.10", "2001:db8::10", "provisioning.pbx.example"]

    @Test func makesAServerCertificateTheCAIssuesForEveryHost() throws {
        let now = Date()
        let (ca, server) = try CertificateGenerator.generate(hosts: Self.hosts, now: now)

        let summary = CertificateSummary(server.leaf)
        #expect(summary.subject == "CN=pbx.example")
        #expect(summary.subjectAlternativeNames == ["DNS:pbx.example", "IP:192.0.2.10", "IP:2001:db8::10", "DNS:provisioning.pbx.example"])
        // X.509 times have whole seconds.
        #expect(abs(summary.notBefore.timeIntervalSince(now.addingTimeInterval(-3_600))) <= 1)
        #expect(summary.notAfter.timeIntervalSince(summary.notBefore) == 825 * 86_400)
        #expect(summary.daysLeft(now: now) == 824)
        #expect(server.chain.count == 2)
        #expect(server.chain[1] == ca.certificate)

        let caSummary = CertificateSummary(ca.certificate)
        #expect(caSummary.subject.hasPrefix("CN=Autoprovision CA "))
        #expect(caSummary.subject == caSummary.issuer)
        #expect(summary.issuer == caSummary.subject)
        let years = caSummary.notAfter.timeIntervalSince(caSummary.notBefore) / (365.25 * 86_400)
        #expect(abs(years - 10) < 0.01)
        #expect(try ca.certificate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(try ca.certificate.extensions.keyUsage == KeyUsage(keyCertSign: true, cRLSign: true))
        #expect(try server.leaf.extensions.keyUsage == KeyUsage(digitalSignature: true, keyEncipherment: true))
        #expect(try server.leaf.extensions.extendedKeyUsage?.contains(.serverAuth) == true)
        #expect(
            try server.leaf.extensions.authorityKeyIdentifier?.keyIdentifier
                == ca.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
        #expect(server.leaf.signatureAlgorithm == .sha256WithRSAEncryption)
    }

    @Test(.enabled(if: OpenSSL.skipReason == nil, "skipped: \(OpenSSL.skipReason ?? "")"))
    func opensslVerifiesTheInstalledFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let files = TLSFiles(databasePath: "\(directory.path)/autoprovision.sqlite")
        let (ca, server) = try CertificateGenerator.generate(hosts: Self.hosts)
        try files.install(server, ca: ca)

        let verify = try OpenSSL.run(["verify", "-CAfile", files.caCertificatePath, files.certificatePath])
        #expect(verify.status == 0)
        #expect(verify.output.contains("\(files.certificatePath): OK"), "\(verify.output)")

        let names = try OpenSSL.run(["x509", "-in", files.certificatePath, "-noout", "-ext", "subjectAltName"]).output
        for expected in ["DNS:pbx.example", "IP Address:192.0.2.10", "IP Address:2001:DB8:0:0:0:0:0:10", "DNS:provisioning.pbx.example"] {
            #expect(names.contains(expected), "\(expected) in \(names)")
        }

        let text = try OpenSSL.run(["x509", "-in", files.certificatePath, "-noout", "-text"]).output
        #expect(text.contains("Public-Key: (2048 bit)"))
        #expect(text.contains("Signature Algorithm: sha256WithRSAEncryption"))
        #expect(text.contains("TLS Web Server Authentication"))
        let caText = try OpenSSL.run(["x509", "-in", files.caCertificatePath, "-noout", "-text"]).output
        #expect(caText.contains("Public-Key: (2048 bit)"))
        #expect(caText.contains("CA:TRUE, pathlen:0"))
        #expect(caText.contains("Certificate Sign, CRL Sign"))

        // The key on disk is the certificate's: openssl derives the same public key from both.
        let keyModulus = try OpenSSL.run(["rsa", "-in", files.privateKeyPath, "-noout", "-modulus"]).output
        let certificateModulus = try OpenSSL.run(["x509", "-in", files.certificatePath, "-noout", "-modulus"]).output
        #expect(keyModulus == certificateModulus)

        let fingerprint = try OpenSSL.run(["x509", "-in", files.caCertificatePath, "-noout", "-fingerprint", "-sha256"]).output
        #expect(fingerprint.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("=" + CertificateSummary(ca.certificate).sha256Fingerprint))
    }

    @Test func installsKeysReadableOnlyByTheOwner() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let files = TLSFiles(databasePath: "\(directory.path)/autoprovision.sqlite")
        #expect(files.directory == "\(directory.path)/tls")
        let (ca, server) = try CertificateGenerator.generate(hosts: ["192.0.2.10"])
        // A strict umask must not leave the certificates unreadable for the phones' web server user.
        let previous = umask(0o077)
        defer { umask(previous) }
        try files.install(server, ca: ca)

        #expect(try Self.mode(files.directory) == 0o700)
        #expect(try Self.mode(files.privateKeyPath) == 0o600)
        #expect(try Self.mode(files.caPrivateKeyPath) == 0o600)
        #expect(try Self.mode(files.certificatePath) == 0o644)
        #expect(try Self.mode(files.caCertificatePath) == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: files.directory).sorted() == ["ca.key", "ca.pem", "server.key", "server.pem"])

        let loaded = try #require(try files.load())
        #expect(loaded.chain == server.chain)
        #expect(loaded.privateKeyPEM == server.privateKeyPEM)
    }

    @Test func replacesAnInstalledCertificate() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let files = TLSFiles(databasePath: "\(directory.path)/autoprovision.sqlite")
        #expect(try files.load() == nil)
        let first = try CertificateGenerator.generate(hosts: ["192.0.2.10"])
        try files.install(first.server, ca: first.ca)
        let second = try CertificateGenerator.generate(hosts: ["192.0.2.11"])
        try files.install(second.server, ca: second.ca)
        #expect(try files.load()?.leaf == second.server.leaf)
        #expect(try files.certificates(at: files.caCertificatePath) == [second.ca.certificate])
    }

    @Test func refusesAHostThatIsNeitherAnAddressNorAName() {
        #expect(throws: Certificates.CertificateError("host 'pbx example': neither an IP address nor a DNS name")) {
            try CertificateGenerator.generate(hosts: ["192.0.2.10", "pbx example"])
        }
        #expect(throws: Certificates.CertificateError("no host to make the certificate for")) {
            try CertificateGenerator.generate(hosts: [])
        }
    }

    @Test func loadsNothingOrSaysWhichFileIsMissing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let files = TLSFiles(databasePath: "\(directory.path)/autoprovision.sqlite")
        #expect(try files.load() == nil)
        let (_, server) = try CertificateGenerator.generate(hosts: ["192.0.2.10"])
        try FileManager.default.createDirectory(atPath: files.directory, withIntermediateDirectories: true)
        _ = try directory.write(server.certificatePEM, to: "tls/server.pem")
        #expect(throws: Certificates.CertificateError("\(files.privateKeyPath): missing, but \(files.certificatePath) exists")) {
            try files.load()
        }
    }

    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? Int ?? -1) & 0o777
    }
}
