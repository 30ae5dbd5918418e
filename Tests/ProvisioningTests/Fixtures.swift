import Foundation

@testable import Provisioning

enum Fixtures {
    static func account(_ ext: String, _ name: String, password: String, auth: String? = nil) -> SIPCredentials {
        SIPCredentials(extensionNumber: ext, authUsername: auth ?? ext, password: password, displayName: name)
    }

    static func settings(host: String) -> PnPSettings {
        var settings = PnPSettings.defaults
        settings.pbxHost = host
        settings.guestSecret = "GuestSecret123"
        return settings
    }

    static func context(
        mac: String,
        host: String = "192.168.1.10",
        lines: [SIPCredentials],
        parameters: String = "",
        model: String? = nil
    ) throws -> RenderContext {
        RenderContext(
            mac: try MACAddress(parsing: mac),
            model: model,
            settings: settings(host: host),
            lines: lines.enumerated().map { LineAccount(line: $0.offset + 1, credentials: $0.element) },
            additionalParameters: AdditionalParameters(parameters)
        )
    }

    /// A fresh store in its own temporary directory.
    static func store() throws -> (ProvisioningStore, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("autoprovision-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try ProvisioningStore(path: directory.appendingPathComponent("test.sqlite").path, defaultHost: "192.168.1.10")
        return (store, directory)
    }
}
