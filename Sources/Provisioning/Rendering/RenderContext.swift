/// One line of a phone (line 1 for a desk phone, up to 5 on a DECT base) and the account it registers.
public struct LineAccount: Hashable, Sendable {
    /// The line number, from 1.
    public var line: Int
    /// The account the line registers with.
    public var credentials: SIPCredentials

    public init(line: Int, credentials: SIPCredentials) {
        self.line = line
        self.credentials = credentials
    }
}

/// Everything a vendor generator needs to write one phone's file.
public struct RenderContext: Sendable {
    /// The phone's address.
    public var mac: MACAddress
    /// The phone's model, when known (`T46S`).
    public var model: String?
    /// The product settings (server address, ports, voice mail number).
    public var settings: PnPSettings
    /// The phone's lines in ascending order; never empty.
    public var lines: [LineAccount]
    /// The firmware download URL for this phone, empty when none is registered.
    public var firmwareURL: String
    /// The parsed Additional Parameters.
    public var additionalParameters: AdditionalParameters
    /// The programmable keys, in order.
    public var keys: [FunctionKey]

    public init(
        mac: MACAddress,
        model: String?,
        settings: PnPSettings,
        lines: [LineAccount],
        firmwareURL: String = "",
        additionalParameters: AdditionalParameters,
        keys: [FunctionKey] = []
    ) {
        self.mac = mac
        self.model = model
        self.settings = settings
        self.lines = lines
        self.firmwareURL = firmwareURL
        self.additionalParameters = additionalParameters
        self.keys = keys
    }

    /// The phone's first key after its line keys: lines take the first keys on most phones.
    var firstFreeKey: Int { (lines.map(\.line).max() ?? 1) + 1 }

    /// The phonebook URL for `vendor`, when the phonebook setting is on.
    func phonebookURL(_ vendor: Vendor) -> String? {
        settings.phonebookEnabled ? settings.phoneBaseURL + PhonebookFormat.path(for: vendor) : nil
    }

    /// `host` when the SIP port is the default 5060, else `host:port`.
    var sipServer: String {
        settings.sipPort == 5060 ? settings.pbxHost : "\(settings.pbxHost):\(settings.sipPort)"
    }
}
