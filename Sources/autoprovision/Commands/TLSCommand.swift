import ArgumentParser
import Certificates
import Foundation
import Provisioning

/// `tls`: the certificate the daemon serves HTTPS with: generate one with a private CA, import one, show it.
struct TLSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls",
        abstract: "Generate, import or show the HTTPS server certificate.",
        discussion: """
            The files live in a 'tls' folder beside the database: server.pem (certificate, then its chain), \
            server.key (mode 0600), and for a generated certificate ca.pem and ca.key, the private CA to load \
            into the phones. A running daemon picks up a new certificate within a second.
            """,
        subcommands: [Generate.self, Import.self, Show.self]
    )

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a private CA and a server certificate it signs, and install both.",
            discussion: """
                The certificate names the pbx-host setting and each --host (IP addresses and DNS names), and is \
                valid 825 days; the CA 10 years. It replaces the installed certificate, generated or imported.
                """
        )
        @OptionGroup var store: StoreOptions
        @Option(name: .long, help: ArgumentHelp("Another name or IP address phones reach the server by (repeatable).", valueName: "name"))
        var host: [String] = []

        func run() async throws {
            let pbxHost = try store.open().settings().pbxHost
            var hosts: [String] = []
            for name in [pbxHost] + host where !name.isEmpty && !hosts.contains(name) {
                hosts.append(name)
            }
            let files = TLSFiles(databasePath: store.path)
            // What is being replaced, for the admin's record; a broken previous certificate is replaced all the same.
            let previous = (try? files.certificates(at: files.certificatePath))?.first
            let (ca, server) = try convert { () throws(CertificateError) in try CertificateGenerator.generate(hosts: hosts) }
            try convert { () throws(CertificateError) in try files.install(server, ca: ca) }
            if let previous {
                let summary = CertificateSummary(previous)
                print("replaced the previous certificate (\(summary.subject), expires \(Self.format(summary.notAfter)))")
            }
            print("server certificate: \(files.certificatePath) (for \(hosts.joined(separator: ", ")))")
            print("CA certificate: \(files.caCertificatePath)")
            print("load the CA certificate into the phones (or into the vendor template's trusted-certificate key)")
            print("SHA-256 fingerprint: \(CertificateSummary(ca.certificate).sha256Fingerprint)")
        }

        static func format(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Install a certificate and key from another CA.",
            discussion: """
                Refuses, writing nothing, a key that does not match the certificate, a certificate that is expired \
                or not yet valid, a chain out of order (each certificate must be followed by its issuer) and files \
                that are not PEM.
                """
        )
        @OptionGroup var store: StoreOptions
        @Option(name: .long, help: ArgumentHelp("The server certificate, PEM; may hold the chain after it.", valueName: "file"))
        var cert: String
        @Option(name: .long, help: ArgumentHelp("The certificate's private key, PEM, not encrypted.", valueName: "file"))
        var key: String
        @Option(name: .long, help: ArgumentHelp("The intermediate certificates, PEM, issuer of the certificate first.", valueName: "file"))
        var chain: String?

        func run() async throws {
            let identity = try convert { () throws(CertificateError) in
                try ServerIdentity(
                    certificatePEM: try Self.read(cert),
                    privateKeyPEM: try Self.read(key),
                    chainPEM: try chain.map { path throws(CertificateError) in try Self.read(path) },
                    names: PEMFileNames(certificate: cert, privateKey: key, chain: chain ?? cert)
                )
            }
            let files = TLSFiles(databasePath: store.path)
            try convert { () throws(CertificateError) in try files.install(identity, ca: nil) }
            let summary = CertificateSummary(identity.leaf)
            print("installed \(files.certificatePath): \(summary.subject), issued by \(summary.issuer), expires \(Generate.format(summary.notAfter))")
        }

        static func read(_ path: String) throws(CertificateError) -> String {
            guard let data = FileManager.default.contents(atPath: path) else { throw CertificateError("\(path): cannot read the file") }
            guard let text = String(data: data, encoding: .utf8) else {
                throw CertificateError("\(path): not PEM text: the file is binary (DER?); convert it to PEM")
            }
            return text
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the installed server certificate and CA.",
            discussion: """
                Prints subject, issuer, names, validity, days left and SHA-256 fingerprint of the server certificate, \
                and of ca.pem when there is one. Warns on stderr when the server certificate expires within 30 days. \
                Without a certificate it says so and exits 0: having none is a valid state (HTTPS off).
                """
        )
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let files = TLSFiles(databasePath: store.path)
            guard let chain = try convert({ () throws(CertificateError) in try files.certificates(at: files.certificatePath) }) else {
                print("no certificate: run 'autoprovision tls generate' or 'tls import'")
                return
            }
            let now = Date()
            let server = CertificateSummary(chain[0])
            print("server certificate (\(files.certificatePath)):")
            Self.printSummary(server, now: now)
            if chain.count > 1 { print("  chain:       \(chain.dropFirst().map { CertificateSummary($0).subject }.joined(separator: " <- "))") }
            if let ca = try convert({ () throws(CertificateError) in try files.certificates(at: files.caCertificatePath) })?.first {
                print("CA certificate (\(files.caCertificatePath)):")
                Self.printSummary(CertificateSummary(ca), now: now)
            }
            let days = server.daysLeft(now: now)
            if days < 0 {
                FileHandle.standardError.write(Data("warning: the server certificate expired \(-days) days ago\n".utf8))
            } else if days < 30 {
                FileHandle.standardError.write(Data("warning: the server certificate expires in \(days) days\n".utf8))
            }
        }

        static func printSummary(_ summary: CertificateSummary, now: Date) {
            let format = ISO8601DateFormatter()
            let names = summary.subjectAlternativeNames.isEmpty ? "(none)" : summary.subjectAlternativeNames.joined(separator: ", ")
            print("  subject:     \(summary.subject)")
            print("  issuer:      \(summary.issuer)")
            print("  names:       \(names)")
            print("  not before:  \(format.string(from: summary.notBefore))")
            print("  not after:   \(format.string(from: summary.notAfter))")
            print("  days left:   \(summary.daysLeft(now: now))")
            print("  SHA-256:     \(summary.sha256Fingerprint)")
        }
    }
}

/// Runs `body`, turning a ``CertificateError`` into the one-line CLI error.
private func convert<T>(_ body: () throws(CertificateError) -> T) throws(CLIError) -> T {
    do {
        return try body()
    } catch {
        throw CLIError(error.description)
    }
}
