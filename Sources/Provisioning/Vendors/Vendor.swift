/// The phone brands the product provisions.
public enum Vendor: String, CaseIterable, Codable, Sendable, CustomStringConvertible {
    case yealink
    case snom
    case fanvil
    case grandstream
    case htek

    /// Accepts the vendor name in any case (`Yealink`, `SNOM`).
    /// - Parameter name: The name as typed by an admin or sent by a phone.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// The vendor a provisioning User-Agent names, if any.
    ///
    /// Real examples: `Yealink SIP-T46G 28.72.0.1 00:15:65:4a:a9:37`,
    /// `Mozilla/4.0 (compatible; snomD785-SIP ...)`, `Fanvil X4 ...`,
    /// `Grandstream Model HW GXP1628 ...`, `Htek UC903 ...`.
    /// - Parameter userAgent: The request's `User-Agent` header.
    public init?(userAgent: String) {
        let lower = userAgent.lowercased()
        guard let vendor = Vendor.allCases.first(where: { lower.contains($0.rawValue) }) else { return nil }
        self = vendor
    }

    public var description: String { rawValue }

    /// The name a person reads (`Yealink`).
    public var displayName: String {
        switch self {
        case .yealink: "Yealink"
        case .snom: "Snom"
        case .fanvil: "Fanvil"
        case .grandstream: "Grandstream"
        case .htek: "Htek"
        }
    }
}
