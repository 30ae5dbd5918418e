/// What a phone needs to register one line: the account as the PBX knows it.
public struct SIPCredentials: Hashable, Sendable {
    /// The extension number dialled to reach this account (`204`).
    public var extensionNumber: String
    /// The SIP authentication username.
    public var authUsername: String
    /// The SIP password. Never logged; masked in CLI output unless asked for.
    public var password: String
    /// The caller ID name shown on the phone and to callees.
    public var displayName: String

    /// - Parameters:
    ///   - extensionNumber: The extension number.
    ///   - authUsername: The SIP authentication username.
    ///   - password: The SIP password.
    ///   - displayName: The caller ID name; the extension is used when empty.
    public init(extensionNumber: String, authUsername: String, password: String, displayName: String) {
        self.extensionNumber = extensionNumber
        self.authUsername = authUsername
        self.password = password
        self.displayName = displayName.isEmpty ? extensionNumber : displayName
    }

    /// A copy whose password is replaced, for output that must not show it.
    public func masked(with mask: String = "********") -> SIPCredentials {
        var copy = self
        copy.password = mask
        return copy
    }
}

extension SIPCredentials: CustomStringConvertible, CustomDebugStringConvertible {
    // Keeps the password out of any log line or string interpolation.
    public var description: String { "\(extensionNumber) (\(authUsername), \"\(displayName)\", password hidden)" }
    public var debugDescription: String { description }
}
