import Foundation
import TestCLI
import Testing

/// `tls generate`, `tls import` and `tls show` through the real binary.
@Suite struct TLSCLITests {
    @Test func generateShowAndImportElsewhere() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        #expect(try await cli.run(["settings", "set", "pbx-host", "192.0.2.10"]).status == 0)

        let none = try await cli.run(["tls", "show"])
        #expect(none.status == 0)
        #expect(none.stdout == "no certificate: run 'autoprovision tls generate' or 'tls import'\n")

        let generate = try await cli.run(["tls", "generate", "--host", "pbx.example", "--host", "192.0.2.10"])
        #expect(generate.status == 0, "\(generate.stderr)")
        let tls = cli.directory.appendingPathComponent("tls").path
        #expect(generate.stdout.contains("server certificate: \(tls)/server.pem (for 192.0.2.10, pbx.example)"), "\(generate.stdout)")
        #expect(generate.stdout.contains("CA certificate: \(tls)/ca.pem"))
        #expect(generate.stdout.contains("load the CA certificate into the phones"))
        #expect(generate.stdout.contains("SHA-256 fingerprint: "))
        #expect(!generate.stdout.contains("PRIVATE KEY"))

        let show = try await cli.run(["tls", "show"])
        #expect(show.status == 0)
        #expect(show.stdout.contains("subject:     CN=192.0.2.10"))
        #expect(show.stdout.contains("names:       IP:192.0.2.10, DNS:pbx.example"))
        #expect(show.stdout.contains("days left:   824"))
        #expect(show.stdout.contains("CA certificate (\(tls)/ca.pem):"))
        #expect(show.stderr.isEmpty)

        let again = try await cli.run(["tls", "generate"])
        #expect(again.stdout.hasPrefix("replaced the previous certificate (CN=192.0.2.10, expires "), "\(again.stdout)")

        let other = try CLI()
        defer { other.cleanUp() }
        let imported = try await other.run(["tls", "import", "--cert", "\(tls)/server.pem", "--key", "\(tls)/server.key"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let otherTLS = other.directory.appendingPathComponent("tls").path
        #expect(try String(contentsOfFile: "\(otherTLS)/server.pem", encoding: .utf8) == String(contentsOfFile: "\(tls)/server.pem", encoding: .utf8))
        #expect(!FileManager.default.fileExists(atPath: "\(otherTLS)/ca.pem"))
    }

    @Test func importRefusesAMismatchedKeyOrGarbageAndWritesNothing() async throws {
        let first = try CLI()
        defer { first.cleanUp() }
        let second = try CLI()
        defer { second.cleanUp() }
        #expect(try await first.run(["tls", "generate", "--host", "192.0.2.10"]).status == 0)
        #expect(try await second.run(["tls", "generate", "--host", "192.0.2.11"]).status == 0)
        let a = first.directory.appendingPathComponent("tls").path
        let b = second.directory.appendingPathComponent("tls").path
        let garbage = first.directory.appendingPathComponent("garbage.pem").path
        try "hello\n".write(toFile: garbage, atomically: true, encoding: .utf8)

        // The base64 lines of both keys: none may appear in what the command prints.
        let keyLines = try ["\(a)/server.key", "\(b)/server.key"].flatMap { path in
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("-----") }
        }
        #expect(keyLines.count > 40)
        let target = try CLI()
        defer { target.cleanUp() }
        let cases: [([String], String)] = [
            (["--cert", "\(a)/server.pem", "--key", "\(b)/server.key"], "Error: \(b)/server.key: the key does not match the certificate"),
            (["--cert", garbage, "--key", "\(a)/server.key"], "Error: \(garbage): not PEM"),
            (["--cert", "\(a)/server.pem", "--key", garbage], "Error: \(garbage): not PEM"),
            (["--cert", "\(a)/ca.pem", "--key", "\(a)/server.key"], "Error: \(a)/server.key: the key does not match the certificate"),
            (["--cert", "\(a)/missing.pem", "--key", "\(a)/server.key"], "Error: \(a)/missing.pem: cannot read the file"),
        ]
        for (arguments, message) in cases {
            let result = try await target.run(["tls", "import"] + arguments)
            #expect(result.status != 0)
            #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            for line in keyLines { #expect(!result.stderr.contains(line) && !result.stdout.contains(line), "key material printed") }
        }
        #expect(!FileManager.default.fileExists(atPath: target.directory.appendingPathComponent("tls").path))
    }
}
