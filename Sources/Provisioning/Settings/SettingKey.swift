import Foundation

/// A setting an admin can change with `settings set KEY VALUE`.
public enum SettingKey: String, CaseIterable, Sendable {
    case pbxHost = "pbx-host"
    case httpPort = "http-port"
    case sipPort = "sip-port"
    case extensionTemplate = "extension-template"
    case macWhitelist = "mac-whitelist"
    case macBlacklist = "mac-blacklist"
    case additionalParams = "additional-params"
    case tftp = "tftp"
    case guestUsername = "guest-username"
    case voicemailNumber = "voicemail-number"
    case phonebook = "phonebook"
    case asteriskConfDir = "asterisk-conf-dir"
    case fetchGuard = "fetch-guard"
    case trustedNetworks = "trusted-networks"
    case trustedProxies = "trusted-proxies"
    case banThreshold = "ban-threshold"
    case banWindow = "ban-window"
    case banTime = "ban-time"
    case httpsPort = "https-port"
    case phoneScheme = "phone-scheme"
    case deviceCA = "device-ca"
}

extension SettingKey {
    /// Checks a value without storing it.
    /// - Throws: ``StoreError/invalidValue(_:)`` naming what is wrong.
    public func validate(_ value: String) throws(StoreError) {
        _ = try normalise(value)
    }

    /// Checks `value` and returns the form to store.
    /// - Parameter value: The value as the admin gave it.
    /// - Throws: ``StoreError`` naming what is wrong with the value.
    func normalise(_ value: String) throws(StoreError) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        switch self {
        case .pbxHost:
            guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "/") }) else {
                throw .invalidValue("pbx-host '\(value)' must be an IP address or DNS name without spaces or '/'")
            }
            return trimmed
        case .httpPort, .sipPort, .httpsPort:
            guard let port = Int(trimmed), (1...65535).contains(port) else {
                throw .invalidValue("\(rawValue) '\(value)' must be a port number between 1 and 65535")
            }
            return String(port)
        case .extensionTemplate:
            guard !trimmed.isEmpty, trimmed.allSatisfy({ $0.isNumber || "*#XZNxzn.[]-".contains($0) }) else {
                throw .invalidValue("extension-template '\(value)' may hold only digits, '*', '#' and pattern letters X, Z, N")
            }
            return trimmed
        case .macWhitelist, .macBlacklist:
            return try MACList.parse(trimmed).map(\.compact).joined(separator: ",")
        case .additionalParams:
            _ = try AdditionalParameters(strict: value)
            return value
        case .tftp, .phonebook:
            switch trimmed.lowercased() {
            case "on", "true", "1", "yes": return "1"
            case "off", "false", "0", "no": return "0"
            default: throw .invalidValue("\(rawValue) '\(value)' must be on or off")
            }
        case .guestUsername:
            guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "@") }) else {
                throw .invalidValue("guest-username '\(value)' must be printable ASCII without spaces or '@'")
            }
            return trimmed
        case .voicemailNumber:
            guard trimmed.allSatisfy({ $0.isNumber || $0 == "*" || $0 == "#" }) else {
                throw .invalidValue("voicemail-number '\(value)' may hold only digits, '*' and '#'")
            }
            return trimmed
        case .asteriskConfDir:
            // It goes into `#include "…"` lines, so no quotes, and no control characters.
            guard
                trimmed.isEmpty
                    || (trimmed.hasPrefix("/") && !trimmed.contains("\"")
                        && trimmed.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7f })
            else {
                throw .invalidValue("asterisk-conf-dir '\(value)' must be an absolute path without quotes (or empty for off)")
            }
            return trimmed.count > 1 && trimmed.hasSuffix("/") ? String(trimmed.dropLast()) : trimmed
        case .fetchGuard:
            guard let mode = FetchGuardMode(rawValue: trimmed.lowercased()) else {
                throw .invalidValue("fetch-guard '\(value)' must be off, lan or strict")
            }
            return mode.rawValue
        case .trustedNetworks, .trustedProxies:
            return try IPNetwork.list(trimmed).map(\.description).joined(separator: ",")
        case .banThreshold, .banWindow, .banTime:
            let range = self == .banThreshold ? 1...1000 : 1...31_536_000
            guard let number = Int(trimmed), range.contains(number) else {
                let unit = self == .banThreshold ? "failures" : "seconds"
                throw .invalidValue("\(rawValue) '\(value)' must be a whole number of \(unit) from \(range.lowerBound) to \(range.upperBound)")
            }
            return String(number)
        case .phoneScheme:
            guard let scheme = PhoneScheme(rawValue: trimmed.lowercased()) else {
                throw .invalidValue("phone-scheme '\(value)' must be auto, http or https")
            }
            return scheme.rawValue
        case .deviceCA:
            return try DeviceCABundle.normalise(value)
        }
    }
}

/// Parses the MAC lists of the settings: MACs separated by commas, spaces or new lines.
public enum MACList {
    /// - Parameter text: The list as typed.
    /// - Throws: ``StoreError/invalidValue(_:)`` naming the first entry that is not a MAC.
    public static func parse(_ text: String) throws(StoreError) -> [MACAddress] {
        var result: [MACAddress] = []
        for item in text.split(whereSeparator: { $0 == "," || $0 == ";" || $0.isWhitespace }) {
            do {
                let mac = try MACAddress(parsing: String(item))
                if !result.contains(mac) { result.append(mac) }
            } catch {
                throw .invalidValue(error.description)
            }
        }
        return result
    }
}
