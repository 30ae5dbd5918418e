public import Provisioning

/// A plug-and-play `SUBSCRIBE` (Event `ua-profile`): which phone asks to be provisioned.
public struct PnPSubscribe: Hashable, Sendable {
    public var mac: MACAddress
    /// From the Event's `vendor=` (or Panasonic's `vender=`), else the MAC prefix when the Event says OEM.
    public var vendor: Vendor?
    /// The raw `vendor=` value (`OEM`, `PLANET`, `snom`).
    public var announcedVendor: String?
    public var model: String?
    public var firmwareVersion: String?
    public var callID: String
    public var message: SIPMessage
    /// Where the datagram came from (filled in by the listener).
    public var sourceIP: String?
    public var sourcePort: Int = 5060

    /// Reads the PnP facts of a SIP message.
    /// - Throws: ``PnPSubscribeError`` when it is not a ua-profile SUBSCRIBE or carries no usable MAC.
    public init(_ message: SIPMessage) throws(PnPSubscribeError) {
        guard case .request(let method, let uri) = message.startLine, method == "SUBSCRIBE" else { throw .notSubscribe }
        guard let event = message["Event"], event.split(separator: ";").first?.trimmingBlanks().lowercased() == "ua-profile" else {
            throw .notUAProfile(message["Event"] ?? "")
        }
        guard let callID = message["Call-ID"], !callID.isEmpty else { throw .missingHeader("Call-ID") }
        for required in ["Via", "From", "To", "CSeq"] where message[required] == nil { throw .missingHeader(required) }
        let parameters = Self.parameters(of: event)
        guard let mac = Self.mac(inURI: uri) ?? message["From"].flatMap(Self.mac(inNameAddress:)) else { throw .noMAC(uri) }
        self.mac = mac
        self.callID = callID
        self.message = message
        announcedVendor = parameters["vendor"] ?? parameters["vender"]
        model = parameters["model"]
        firmwareVersion = parameters["version"]
        // "OEM", "PLANET" and other rebrands name no vendor we know: the MAC prefix decides then.
        vendor = announcedVendor.flatMap { Vendor(name: $0) } ?? OUITable.vendor(for: mac)
    }

    /// `ua-profile;profile-type="device";vendor="snom";model="snomM700"` as a dictionary (names lowercased, quotes removed).
    static func parameters(of event: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in event.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            var value = pair[1].trimmingBlanks()
            if value.first == "\"", value.last == "\"", value.count >= 2 { value = value.dropFirst().dropLast() }
            result[pair[0].trimmingBlanks().lowercased()] = String(value)
        }
        return result
    }

    /// `sip:MAC%3a00135E874B49@...`, `sip:MAC%3A...`, `sip:MAC:...`, `sip:MAC=...`, `sip:MAC001565f4f9e1@...`.
    static func mac(inURI uri: String) -> MACAddress? {
        var user = Substring(uri)
        if user.lowercased().hasPrefix("sip:") { user = user.dropFirst(4) }
        guard let at = user.firstIndex(of: "@") else { return nil }
        user = user[..<at]
        guard user.uppercased().hasPrefix("MAC") else { return nil }
        user = user.dropFirst(3)
        for separator in ["%3a", "%3A", ":", "="] where user.hasPrefix(separator) {
            user = user.dropFirst(separator.count)
            break
        }
        return try? MACAddress(parsing: String(user))
    }

    /// The MAC in the user part of a `From` name-address, when the Request-URI has none.
    static func mac(inNameAddress value: String) -> MACAddress? {
        var text = Substring(value)
        if let open = text.firstIndex(of: "<"), let close = text.firstIndex(of: ">"), open < close { text = text[text.index(after: open)..<close] }
        return mac(inURI: String(text))
    }
}

/// Why a datagram is not a PnP request this listener answers.
public enum PnPSubscribeError: Error, Hashable, Sendable, CustomStringConvertible {
    case notSubscribe
    case notUAProfile(String)
    case missingHeader(String)
    case noMAC(String)

    public var description: String {
        switch self {
        case .notSubscribe: "not a SUBSCRIBE"
        case .notUAProfile(let event): "SUBSCRIBE for event \(String(reflecting: event)), not ua-profile"
        case .missingHeader(let name): "SUBSCRIBE without \(name)"
        case .noMAC(let uri): "SUBSCRIBE without a MAC in \(String(reflecting: uri)) or From"
        }
    }
}
