import ArgumentParser
import Certificates
import Foundation
import Provisioning

struct SettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Show or change the PnP settings.",
        subcommands: [Show.self, Set.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print every setting.")
        @OptionGroup var store: StoreOptions
        @Flag(name: .long, help: "Print the guest account's password instead of masking it.")
        var showSecrets = false

        func run() async throws {
            let settings = try store.open().settings()
            // Every key in its declared order, so a new setting is listed without touching this command.
            var rows: [(String, String)] = SettingKey.allCases.filter { $0 != .additionalParams }.map { key in
                let value = settings.value(of: key)
                if key == .deviceCA {
                    let count = (try? DeviceCABundle.blocks(in: value).count) ?? 0
                    return (key.rawValue, count == 0 ? "(off)" : "\(count) certificate\(count == 1 ? "" : "s")")
                }
                return (key.rawValue, key == .asteriskConfDir && value.isEmpty ? "(off)" : value)
            }
            rows.append(("guest-secret", showSecrets ? settings.guestSecret : "******** (--show-secrets to print)"))
            for (key, value) in rows {
                print("\(key.padding(toLength: 20, withPad: " ", startingAt: 0)) \(value)")
            }
            print("\(SettingKey.additionalParams.rawValue):")
            if settings.additionalParameters.isEmpty {
                print("  (none)")
            } else {
                for line in settings.additionalParameters.split(separator: "\n", omittingEmptySubsequences: false) { print("  \(line)") }
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change one setting.",
            discussion:
                "KEY is one of: \(SettingKey.allCases.map(\.rawValue).joined(separator: ", ")). For additional-params and device-ca, '@FILE' reads the value from FILE."
        )
        @OptionGroup var store: StoreOptions
        @Argument(help: "The setting to change.") var key: SettingKey
        @Argument(help: "The new value.") var value: String

        func run() async throws {
            var value = value
            if key == .additionalParams || key == .deviceCA, value.hasPrefix("@") {
                let path = String(value.dropFirst())
                guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                    throw CLIError("cannot read \(path) as UTF-8 text")
                }
                value = text
            }
            if key == .deviceCA, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                // Each block must be a certificate, not only look like one: the HTTPS server would otherwise drop them all.
                do {
                    _ = try DeviceCertificateVerifier(pemBundle: value)
                } catch {
                    throw CLIError("device-ca: \(error)")
                }
            }
            try store.open().set(key, to: value)
            print("\(key.rawValue) updated")
        }
    }
}
