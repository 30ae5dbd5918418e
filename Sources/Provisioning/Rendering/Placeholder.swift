/// The `{NAME}` placeholders a template may use.
public enum Placeholder: String, CaseIterable, Sendable {
    case sipNumber = "SIP_NUM"
    case sipUserName = "SIP_USER_NAME"
    case sipPassword = "SIP_PASS"
    case pbxHost = "PBX_HOST"
    case firmwareURL = "FIRMWARE_URL"
    case displayName = "DISPLAY_NAME"
    case sipPort = "SIP_PORT"
    case mac = "MAC"

    /// What each placeholder becomes, for the template editor and `template show`.
    public var meaning: String {
        switch self {
        case .sipNumber: "extension number of the line-1 account"
        case .sipUserName: "SIP authentication username"
        case .sipPassword: "SIP password"
        case .pbxHost: "Server Registration Address"
        case .firmwareURL: "firmware download URL for the phone's vendor and model (empty when none)"
        case .displayName: "caller ID name of the line-1 account"
        case .sipPort: "SIP port"
        case .mac: "the phone's MAC, 12 lowercase hex digits"
        }
    }
}

/// Replaces placeholders in a template body.
enum PlaceholderSubstitution {
    /// - Parameters:
    ///   - template: The template text.
    ///   - values: The value of each known placeholder, already escaped for the format.
    /// - Returns: The text, and the unknown `{NAME}` placeholders that were left as they are.
    static func substitute(_ template: String, values: [Placeholder: String]) -> (String, [String]) {
        // Scanned as UTF-8 bytes: templates can be large, and `{`, `}` and names are ASCII.
        let bytes = Array(template.utf8)
        guard bytes.contains(UInt8(ascii: "{")) else { return (template, []) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var unknown: [String] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "{") else {
                out.append(byte)
                index += 1
                continue
            }
            var end = index + 1
            while end < bytes.count, Self.isNameByte(bytes[end]) { end += 1 }
            guard end > index + 1, end < bytes.count, bytes[end] == UInt8(ascii: "}") else {
                out.append(byte)
                index += 1
                continue
            }
            let name = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
            if let placeholder = Placeholder(rawValue: name), let value = values[placeholder] {
                out += value.utf8
            } else {
                out += bytes[index...end]
                if !unknown.contains(name) { unknown.append(name) }
            }
            index = end + 1
        }
        return (String(decoding: out, as: UTF8.self), unknown)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
    }
}
