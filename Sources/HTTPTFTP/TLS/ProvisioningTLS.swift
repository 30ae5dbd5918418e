public import Certificates
import Foundation
public import Logging
public import NIOCore
import NIOSSL
public import Provisioning
public import ServiceLifecycle
import Synchronization

/// The TLS side of the provisioning HTTPS server: the server certificate and the vendor device CAs
/// in force, and the handlers each new connection gets.
///
/// It runs as a service that re-reads the certificate files beside the database and the `device-ca`
/// setting twice a second, so `tls import` or `tls generate` reaches new handshakes within a second,
/// without a restart. A pair that does not validate (a key for another certificate mid-replace) is
/// logged and the one in force stays.
public final class ProvisioningTLS: Service, Sendable {
    /// A TLS context and what it was built from.
    struct Material {
        var context: NIOSSLContext
        var verifier: DeviceCertificateVerifier?
        var source: Source
        var summary: String
    }

    /// What decides whether the context must be rebuilt.
    struct Source: Equatable {
        var certificate: FileStamp?
        var key: FileStamp?
        var deviceCA: String
    }

    private let material = Mutex<Material?>(nil)
    private let reported = Mutex<String?>(nil)
    let files: TLSFiles
    let catalog: ProvisioningCatalog
    let logger: Logger
    let limiter: HandshakeLimiter
    let handshakeTimeout: TimeAmount

    /// - Parameters:
    ///   - files: Where the server certificate and key are.
    ///   - catalog: Whose settings hold `device-ca`.
    ///   - logger: Where loads, replacements and refusals are logged.
    ///   - maximumHandshakesPerAddress: Handshakes one address may have in progress at once.
    ///   - handshakeTimeout: How long a handshake may take before the connection is closed.
    public init(
        files: TLSFiles, catalog: ProvisioningCatalog, logger: Logger, maximumHandshakesPerAddress: Int = 32,
        handshakeTimeout: TimeAmount = .seconds(10)
    ) {
        self.files = files
        self.catalog = catalog
        self.logger = logger
        self.limiter = HandshakeLimiter(maximumPerAddress: maximumHandshakesPerAddress)
        self.handshakeTimeout = handshakeTimeout
    }

    /// Loads the certificate now.
    /// - Parameter deviceCA: The `device-ca` setting, before the catalog has its first snapshot.
    /// - Returns: Whether a certificate is installed (HTTPS can serve).
    /// - Throws: ``CertificateError`` when the files are there but do not make a usable certificate.
    public func load(deviceCA: String) throws -> Bool {
        try reload(force: true, deviceCA: deviceCA)
        return material.withLock { $0 != nil }
    }

    /// A one-line description of the certificate in force, for the log.
    public var summary: String? { material.withLock { $0?.summary } }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(500))
                do {
                    try self.reload(force: false)
                    self.report(nil)
                } catch {
                    self.report("HTTPS certificate not replaced: \(error); the one in force stays")
                }
            }
        }
    }

    private func report(_ problem: String?) {
        let changed = reported.withLock { reported in
            defer { reported = problem }
            return reported != problem
        }
        guard changed else { return }
        if let problem { logger.error("\(problem)") } else if material.withLock({ $0 != nil }) { logger.debug("HTTPS certificate files in order") }
    }

    /// Rebuilds the context when the files or `device-ca` changed (or always, when `force`).
    private func reload(force: Bool, deviceCA: String? = nil) throws {
        let deviceCA = deviceCA ?? catalog.snapshot.settings.deviceCA
        let source = Source(certificate: FileStamp(path: files.certificatePath), key: FileStamp(path: files.privateKeyPath), deviceCA: deviceCA)
        if !force, material.withLock({ $0?.source == source }) { return }
        guard let identity = try files.load() else {
            if material.withLock({ $0 != nil }) { logger.error("HTTPS certificate files are gone from \(files.directory); the one in force stays") }
            return
        }
        var verifier: DeviceCertificateVerifier?
        var roots: [NIOSSLCertificate] = []
        if !deviceCA.isEmpty {
            do {
                verifier = try DeviceCertificateVerifier(pemBundle: deviceCA)
                roots = try NIOSSLCertificate.fromPEMBytes(Array(deviceCA.utf8))
            } catch {
                verifier = nil
                logger.error("device-ca is not usable (\(error)): HTTPS does not ask phones for device certificates")
            }
        }
        let context = try Self.makeContext(identity: identity, deviceCAs: verifier == nil ? [] : roots)
        let leaf = CertificateSummary(identity.leaf)
        let summary =
            "\(leaf.subject), expires \(ISO8601DateFormatter().string(from: leaf.notAfter)), SHA-256 \(leaf.sha256Fingerprint)"
            + (verifier.map { "; device certificates checked against \($0.authorityCount) device CA\($0.authorityCount == 1 ? "" : "s")" } ?? "")
        let previous = material.withLock { material in
            defer { material = Material(context: context, verifier: verifier, source: source, summary: summary) }
            return material?.summary
        }
        if let previous, previous != summary {
            logger.notice("HTTPS certificate replaced: new handshakes use \(summary)")
        } else if previous == nil, !force {
            logger.notice("HTTPS certificate loaded: \(summary)")
        }
    }

    /// TLS 1.2 and 1.3 with the ECDHE AES-GCM suites phones support; a client certificate is asked
    /// for (not required) only when there are device CAs to check it against.
    static func makeContext(identity: ServerIdentity, deviceCAs: [NIOSSLCertificate]) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(identity.certificatePEM.utf8))
        let key = try NIOSSLPrivateKey(bytes: Array(identity.privateKeyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.maximumTLSVersion = .tlsv13
        // TLS 1.2 suites; BoringSSL's TLS 1.3 suites are all AEAD and are not configurable.
        configuration.cipherSuiteValues = [
            .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, .TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, .TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        ]
        configuration.renegotiationSupport = .none
        if !deviceCAs.isEmpty {
            configuration.certificateVerification = .optionalVerification
            configuration.trustRoots = .certificates(deviceCAs)
            // The CertificateRequest names the device CAs, so a phone with several certificates picks the right one.
            configuration.sendCANameList = true
        }
        return try NIOSSLContext(configuration: configuration)
    }

    /// Adds the TLS handlers for a new connection from `address`.
    /// - Returns: Where the connection's proven device lands, or nil when the connection was refused
    ///   (no certificate, or too many handshakes from the address); the channel is then being closed.
    func addHandlers(to channel: any Channel, address: String) throws -> DeviceProof? {
        guard let material = material.withLock({ $0 }) else {
            channel.close(promise: nil)
            return nil
        }
        guard limiter.acquire(address) else {
            logger.notice("TLS: \(address) already has \(limiter.maximumPerAddress) handshakes in progress; connection closed")
            channel.close(promise: nil)
            return nil
        }
        let proof = DeviceProof()
        let sync = channel.pipeline.syncOperations
        let handler: NIOSSLServerHandler
        if let verifier = material.verifier {
            let logger = self.logger
            handler = NIOSSLServerHandler(context: material.context) { certificates, promise in
                let chain = certificates.compactMap { try? $0.toDERBytes() }
                promise.completeWithTask {
                    // An untrusted or self-signed certificate is treated as none: the handshake goes on, unproven.
                    if let identity = await verifier.verify(chain: chain) {
                        proof.set(identity)
                    } else {
                        logger.info("TLS: client certificate from \(address) does not chain to device-ca or names no MAC: treated as none")
                    }
                    return .certificateVerified
                }
            }
        } else {
            handler = NIOSSLServerHandler(context: material.context)
        }
        try sync.addHandler(handler)
        try sync.addHandler(TLSHandshakeGuard(limiter: limiter, address: address, timeout: handshakeTimeout, logger: logger))
        return proof
    }
}

/// Enough of a file's identity to notice that it was replaced.
struct FileStamp: Equatable {
    var inode: UInt64
    var size: Int64
    var modified: Date

    init?(path: String) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        modified = attributes[.modificationDate] as? Date ?? .distantPast
    }
}
