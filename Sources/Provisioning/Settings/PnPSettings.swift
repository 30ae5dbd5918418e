/// The product-wide options of the "PnP Settings" tab, as one value.
///
/// Built from the store on every snapshot and passed down; nothing reads the
/// settings table behind its back.
public struct PnPSettings: Hashable, Sendable {
    /// The address phones register to and fetch from (Server Registration Address).
    public var pbxHost: String
    /// The TCP port of the provisioning HTTP server.
    public var httpPort: Int
    /// The SIP port written into every account.
    public var sipPort: Int
    /// The star-code pattern users dial to bind a phone (`*123*200`).
    public var extensionTemplate: String
    /// MACs allowed to provision; empty means every MAC not blacklisted.
    public var macWhitelist: [MACAddress]
    /// MACs refused; the blacklist wins over the whitelist.
    public var macBlacklist: [MACAddress]
    /// Vendor lines merged into generated files (INI sections).
    public var additionalParameters: String
    /// Whether the TFTP channel on UDP/69 is on.
    public var tftpEnabled: Bool
    /// The shared SIP account unbound phones register with.
    public var guestUsername: String
    /// The guest account's password, random per installation.
    public var guestSecret: String
    /// The voice-mail access number written into each line.
    public var voicemailNumber: String
    /// Whether phones' files point them at the company phonebook.
    public var phonebookEnabled: Bool = false
    /// Where the daemon keeps the generated Asterisk files current; empty means off.
    public var asteriskConfDir: String = ""
    /// Who may fetch a file that holds a phone's SIP password (``FetchGuard``).
    public var fetchGuard: FetchGuardMode = .lan
    /// Networks whose hosts may fetch any phone's file under `lan`: phones behind a router.
    public var trustedNetworks: [IPNetwork] = []
    /// Reverse proxies whose `X-Forwarded-For` names the requester; from anyone else it is ignored.
    public var trustedProxies: [IPNetwork] = []
    /// Failed lookups from one address within ``banWindow`` seconds that ban it.
    public var banThreshold = 10
    /// The window, in seconds, failures are counted in.
    public var banWindow = 600
    /// How long, in seconds, a ban lasts.
    public var banTime = 3600
    /// The TCP port of the provisioning HTTPS server.
    public var httpsPort = 8443
    /// Which scheme the URLs handed to phones use (files, PnP, private URLs).
    public var phoneScheme: PhoneScheme = .auto
    /// PEM certificates of the vendors' device CAs; when set, HTTPS asks phones for their device certificate.
    public var deviceCA = ""
    /// The port the HTTPS server listens on, nil while HTTPS is off. Not a setting: `serve` knows it.
    public var httpsListening: Int?

    /// Whether URLs handed to phones use https: `phone-scheme https`, or `auto` while HTTPS is on.
    public var phonesUseHTTPS: Bool {
        switch phoneScheme {
        case .https: true
        case .http: false
        case .auto: httpsListening != nil
        }
    }

    /// `scheme://host:port` of the provisioning server, as phones are told to reach it.
    public var phoneBaseURL: String {
        phonesUseHTTPS ? "https://\(pbxHost):\(httpsListening ?? httpsPort)" : "http://\(pbxHost):\(httpPort)"
    }

    /// The defaults of a new installation (guest secret excluded: the store makes it).
    public static let defaults = PnPSettings(
        pbxHost: "127.0.0.1",
        httpPort: 8480,
        sipPort: 5060,
        extensionTemplate: "*123*200",
        macWhitelist: [],
        macBlacklist: [],
        additionalParameters: "",
        tftpEnabled: false,
        guestUsername: "guest",
        guestSecret: "",
        voicemailNumber: "*001"
    )

    /// Whether a phone may be provisioned: the blacklist wins, then a non-empty whitelist must list it.
    /// - Parameter mac: The phone's address.
    public func admits(_ mac: MACAddress) -> MACListVerdict {
        if macBlacklist.contains(mac) { return .blacklisted }
        if !macWhitelist.isEmpty, !macWhitelist.contains(mac) { return .notWhitelisted }
        return .allowed
    }
}

/// The outcome of checking a MAC against the black and white lists.
public enum MACListVerdict: Hashable, Sendable {
    case allowed
    case blacklisted
    case notWhitelisted

    /// A short reason for a log line.
    public var reason: String {
        switch self {
        case .allowed: "allowed"
        case .blacklisted: "MAC is on the blacklist"
        case .notWhitelisted: "whitelist is set and does not list the MAC"
        }
    }
}
