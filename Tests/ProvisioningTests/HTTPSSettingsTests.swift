import Foundation
import Testing

@testable import Provisioning

/// The HTTPS settings: https-port, phone-scheme and device-ca, and the URLs phones are handed.
@Suite struct HTTPSSettingsTests {
    static let block = """
        -----BEGIN CERTIFICATE-----
        MIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGVGb3JUZXN0czAKBggqhkjOPQQDAjAA
        -----END CERTIFICATE-----
        """

    @Test func urlsFollowThePhoneSchemeAndTheListeningHTTPSPort() {
        var settings = PnPSettings.defaults
        settings.pbxHost = "192.0.2.10"
        #expect(settings.phoneBaseURL == "http://192.0.2.10:8480", "HTTPS off: http")
        settings.httpsListening = 9443
        #expect(settings.phoneBaseURL == "https://192.0.2.10:9443", "auto, HTTPS on: https on the port that answers")
        #expect(settings.provisioningURL(token: "abc") == "https://192.0.2.10:9443/p/abc/")
        settings.phoneScheme = .http
        #expect(settings.phoneBaseURL == "http://192.0.2.10:8480", "phones that cannot do TLS")
        settings.phoneScheme = .https
        settings.httpsListening = nil
        #expect(settings.phoneBaseURL == "https://192.0.2.10:8443", "https forced: the https-port setting")
    }

    @Test func theSettingsAreStoredCheckedAndShown() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.set(.httpsPort, to: "9443")
        try store.set(.phoneScheme, to: "HTTP")
        try store.set(.deviceCA, to: "\n" + Self.block + "\r\n" + Self.block + "\n\n")
        let settings = try store.settings()
        #expect(settings.httpsPort == 9443 && settings.phoneScheme == .http)
        #expect(try DeviceCABundle.blocks(in: settings.deviceCA).count == 2)
        #expect(settings.value(of: .phoneScheme) == "http")

        #expect(throws: StoreError.self) { try store.set(.httpsPort, to: "70000") }
        #expect(throws: StoreError.self) { try store.set(.phoneScheme, to: "ftp") }
        let key = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"
        #expect { try store.set(.deviceCA, to: key) } throws: { "\($0)".contains("a private key") }
        #expect { try store.set(.deviceCA, to: "-----BEGIN CERTIFICATE-----\nMIIB\n") } throws: { "\($0)".contains("no -----END") }
        #expect { try store.set(.deviceCA, to: Self.block.replacingOccurrences(of: "MIIBsz", with: "MI IB*")) } throws: {
            "\($0)".contains("other than base64")
        }
        // A refused value changed nothing; an empty one turns the check off.
        #expect(try DeviceCABundle.blocks(in: store.settings().deviceCA).count == 2)
        try store.set(.deviceCA, to: "")
        #expect(try store.settings().deviceCA.isEmpty)
    }
}
