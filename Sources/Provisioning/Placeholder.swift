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
        var out = ""
        out.reserveCapacity(template.utf8.count)
        var unknown: [String] = []
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let afterOpen = rest.index(after: open)
            let name = rest[afterOpen...].prefix(while: { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") })
            let close = name.endIndex
            guard !name.isEmpty, close < rest.endIndex, rest[close] == "}" else {
                out.append("{")
                rest = rest[afterOpen...]
                continue
            }
            if let placeholder = Placeholder(rawValue: String(name)), let value = values[placeholder] {
                out += value
            } else {
                out += rest[open...close]
                if !unknown.contains(String(name)) { unknown.append(String(name)) }
            }
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return (out, unknown)
    }
}
