public import Foundation
public import X509

/// A server certificate chain with its private key, validated: what the daemon serves HTTPS with.
///
/// Making one checks what a phone would otherwise reject later, far from the admin who caused it:
/// the key belongs to the leaf, the leaf is valid now, and the chain is in the order TLS sends it.
public struct ServerIdentity: Sendable {
    /// The certificates, leaf first, each followed by its issuer.
    public let chain: [Certificate]
    /// The whole chain as PEM, leaf first.
    public let certificatePEM: String
    /// The private key's PEM block, as it was given.
    public let privateKeyPEM: String

    /// The certificate naming this server.
    public var leaf: Certificate { chain[0] }

    /// Validates a certificate (with its chain) and its key.
    /// - Parameters:
    ///   - certificatePEM: The leaf, optionally followed by its chain.
    ///   - privateKeyPEM: The leaf's private key (PKCS#1, SEC1 or unencrypted PKCS#8).
    ///   - chainPEM: More chain certificates, appended after those of `certificatePEM`.
    ///   - now: The time the leaf must be valid at.
    /// - Throws: ``CertificateError`` saying what is wrong with which input.
    public init(certificatePEM: String, privateKeyPEM: String, chainPEM: String? = nil, now: Date = Date()) throws(CertificateError) {
        try self.init(certificatePEM: certificatePEM, privateKeyPEM: privateKeyPEM, chainPEM: chainPEM, now: now, names: .unnamed)
    }

    /// Validates a certificate (with its chain) and its key, naming the inputs in errors as `names` says.
    public init(
        certificatePEM: String, privateKeyPEM: String, chainPEM: String? = nil, now: Date = Date(), names: PEMFileNames
    ) throws(CertificateError) {
        var chain = try Self.certificates(in: certificatePEM, source: names.certificate)
        guard !chain.isEmpty else { throw CertificateError("\(names.certificate): contains no PEM CERTIFICATE block") }
        if let chainPEM {
            // An admin often gives the full chain as the certificate and the chain again (certbot's
            // fullchain.pem and chain.pem); a certificate given twice is the same certificate.
            for certificate in try Self.certificates(in: chainPEM, source: names.chain) where !chain.contains(certificate) {
                chain.append(certificate)
            }
        }
        let keyBlock = try Self.privateKeyBlock(in: privateKeyPEM, source: names.privateKey)
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: keyBlock.text)
        } catch {
            throw CertificateError("\(names.privateKey): the \(keyBlock.label) is not a valid private key: \(Certificate.reason(error))")
        }
        let leaf = chain[0]
        guard key.publicKey == leaf.publicKey else {
            throw CertificateError(
                "\(names.privateKey): the key does not match the certificate \(leaf.subjectText) of \(names.certificate)")
        }
        // Only the leaf's validity is checked: a chain may end in an expired cross-signed root that
        // clients skip because they trust a newer one, and public CAs ship such chains on purpose.
        if now > leaf.notValidAfter {
            throw CertificateError(
                "\(names.certificate): the certificate \(leaf.subjectText) expired on \(Self.format(leaf.notValidAfter))")
        }
        if now < leaf.notValidBefore {
            throw CertificateError(
                "\(names.certificate): the certificate \(leaf.subjectText) is not valid before \(Self.format(leaf.notValidBefore))")
        }
        for index in chain.indices.dropLast() {
            let subject = chain[index]
            let issuer = chain[index + 1]
            guard subject.issuer == issuer.subject, issuer.publicKey.isValidSignature(subject.signature, for: subject) else {
                throw CertificateError(
                    "certificate chain out of order: certificate \(index + 2) (\(issuer.subjectText)) "
                        + "does not issue certificate \(index + 1) (\(subject.subjectText))")
            }
        }
        self.chain = chain
        self.certificatePEM = chain.map(\.pemText).joined()
        self.privateKeyPEM = keyBlock.text
    }

    private static func certificates(in pem: String, source: String) throws(CertificateError) -> [Certificate] {
        var certificates: [Certificate] = []
        for (index, block) in try PEMBlock.blocks(in: pem, source: source).enumerated() {
            // Keys and parameters beside the certificates are skipped: a combined PEM file is common.
            guard !block.label.hasSuffix("PRIVATE KEY"), !block.label.hasSuffix("PARAMETERS") else { continue }
            certificates.append(try Certificate.parse(block, what: "\(source): block \(index + 1)"))
        }
        if certificates.isEmpty, !pem.contains("-----BEGIN ") {
            throw CertificateError("\(source): not PEM: no -----BEGIN CERTIFICATE----- line")
        }
        return certificates
    }

    private static func privateKeyBlock(in pem: String, source: String) throws(CertificateError) -> PEMBlock {
        let blocks = try PEMBlock.blocks(in: pem, source: source)
        if blocks.contains(where: { $0.label == "ENCRYPTED PRIVATE KEY" }) || pem.contains("Proc-Type: 4,ENCRYPTED") {
            throw CertificateError("\(source): the private key is encrypted; give it without a passphrase")
        }
        let keys = blocks.filter { $0.label.hasSuffix("PRIVATE KEY") }
        guard let key = keys.first else {
            if blocks.isEmpty { throw CertificateError("\(source): not PEM: no -----BEGIN PRIVATE KEY----- line") }
            throw CertificateError(
                "\(source): contains no private key, only \(blocks.map(\.label).joined(separator: ", "))")
        }
        guard keys.count == 1 else { throw CertificateError("\(source): contains \(keys.count) private keys; give only one") }
        return key
    }

    private static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
