public import Foundation
public import X509

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the daemon keeps its TLS files: a `tls` folder beside the database file.
///
/// `server.pem` (leaf first, then its chain) and `server.key` are what the daemon serves HTTPS with;
/// `ca.pem` and `ca.key` are the private CA of `tls generate`, kept to show and to load into phones.
public struct TLSFiles: Sendable {
    /// `<directory of the database>/tls`.
    public let directory: String

    /// - Parameter databasePath: The database file, as `--db` or `AUTOPROVISION_DB` gives it.
    public init(databasePath: String) {
        let parent = (databasePath as NSString).deletingLastPathComponent
        self.directory = (parent.isEmpty ? "." : parent) + "/tls"
    }

    /// `server.pem`: the server certificate, leaf first, then its chain.
    public var certificatePath: String { directory + "/server.pem" }
    /// `server.key`: the server certificate's private key, mode 0600.
    public var privateKeyPath: String { directory + "/server.key" }
    /// `ca.pem`: the generated private CA, to load into phones.
    public var caCertificatePath: String { directory + "/ca.pem" }
    /// `ca.key`: the generated private CA's key, mode 0600.
    public var caPrivateKeyPath: String { directory + "/ca.key" }

    /// The installed server identity.
    /// - Parameter now: The time the certificate must be valid at.
    /// - Returns: `nil` when neither `server.pem` nor `server.key` exists.
    /// - Throws: ``CertificateError`` when only one of them exists, or they cannot be read, or do not
    ///   make a valid identity (see ``ServerIdentity``), naming the file.
    public func load(now: Date = Date()) throws(CertificateError) -> ServerIdentity? {
        let hasCertificate = FileManager.default.fileExists(atPath: certificatePath)
        let hasKey = FileManager.default.fileExists(atPath: privateKeyPath)
        guard hasCertificate || hasKey else { return nil }
        guard hasCertificate else { throw CertificateError("\(certificatePath): missing, but \(privateKeyPath) exists") }
        guard hasKey else { throw CertificateError("\(privateKeyPath): missing, but \(certificatePath) exists") }
        return try ServerIdentity(
            certificatePEM: try Self.read(certificatePath),
            privateKeyPEM: try Self.read(privateKeyPath),
            now: now,
            names: PEMFileNames(certificate: certificatePath, privateKey: privateKeyPath, chain: certificatePath)
        )
    }

    /// The certificates of a PEM file, without validating them: `tls show` shows an expired or
    /// mismatched certificate too, since that is when the admin needs to see it.
    /// - Returns: `nil` when the file does not exist.
    public func certificates(at path: String) throws(CertificateError) -> [Certificate]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var certificates: [Certificate] = []
        for (index, block) in try PEMBlock.blocks(in: try Self.read(path), source: path).enumerated() {
            certificates.append(try Certificate.parse(block, what: "\(path): block \(index + 1)"))
        }
        guard !certificates.isEmpty else { throw CertificateError("\(path): contains no PEM CERTIFICATE block") }
        return certificates
    }

    /// Installs `identity`, and the CA that issued it when it was generated here.
    ///
    /// Every file is first written whole to a temporary file (keys 0600, certificates 0644) and synced;
    /// only then are they renamed into place, so a failure before the renames changes nothing.
    /// The CA goes first, so that by the time the server presents a certificate of a new CA, `ca.pem`
    /// is that CA. Then `server.key`, then `server.pem`: the daemon notices a change by the certificate
    /// and re-reads both within a second, ignoring a pair that does not match; renaming the certificate
    /// last makes it the commit, so the certificate it sees change is already beside its key, and the
    /// mismatched pair (new key, old certificate) lasts only between two renames.
    /// - Parameters:
    ///   - identity: The server certificate chain and key.
    ///   - ca: The generated CA, or `nil` to leave `ca.pem` and `ca.key` as they are.
    /// - Throws: ``CertificateError`` naming the file that could not be written.
    public func install(_ identity: ServerIdentity, ca: GeneratedCA?) throws(CertificateError) {
        try makeDirectory()
        var files: [(contents: String, path: String, mode: mode_t)] = []
        if let ca {
            files.append((ca.privateKeyPEM, caPrivateKeyPath, 0o600))
            files.append((ca.certificatePEM, caCertificatePath, 0o644))
        }
        files.append((identity.privateKeyPEM, privateKeyPath, 0o600))
        files.append((identity.certificatePEM, certificatePath, 0o644))

        var staged: [StagedFile] = []
        defer {
            for file in staged { file.discard() }
        }
        for file in files {
            staged.append(try StagedFile.stage(file.contents, at: file.path, mode: file.mode))
        }
        for (index, file) in staged.enumerated() {
            do throws(CertificateError) {
                try file.commit()
            } catch {
                let done = staged[..<index].map(\.finalPath).joined(separator: ", ")
                throw CertificateError(error.description + (done.isEmpty ? "" : " (already replaced: \(done))"))
            }
        }
        staged.removeAll()
        StagedFile.syncDirectory(directory)
    }

    private func makeDirectory() throws(CertificateError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw CertificateError("\(directory): exists but is not a directory") }
            return
        }
        do {
            // 0700: the folder holds the private keys; nobody else needs to list it.
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CertificateError("cannot create \(directory): \(error.localizedDescription)")
        }
    }

    private static func read(_ path: String) throws(CertificateError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CertificateError("\(path): cannot read: \(String(cString: strerror(errno)))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CertificateError("\(path): not PEM text: the file is binary (DER?); convert it to PEM")
        }
        return text
    }
}
