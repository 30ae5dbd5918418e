/// What a phone says about itself in its HTTP User-Agent: vendor, model and firmware version.
///
/// Formats, one per vendor (from the provisioning requests real phones send):
/// `Yealink SIP-T46G 28.72.0.1 00:15:65:4a:a9:37`, `Yealink-T46G 28.71.0.81 …`,
/// `Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 …)`, `Fanvil X6U Pro 0.0.10 0c383e2cd782`,
/// `Grandstream Model HW GXP1628 SW 1.0.4.138 DevId c074ad2bd859`,
/// `Grandstream GXP2000 (gxp2000e.bin:1.2.5.3/boot55e.bin:1.1.6.9) DevId …`, `Htek UC903 2.0.4.2 …`.
public struct PhoneUserAgent: Hashable, Sendable {
    public var vendor: Vendor
    public var model: String
    public var version: String

    public init(vendor: Vendor, model: String, version: String) {
        self.vendor = vendor
        self.model = model
        self.version = version
    }

    /// Parses a User-Agent; nil when it is not one of the five vendors' formats.
    public init?(_ userAgent: String) {
        guard userAgent.utf8.count <= 256 else { return nil }
        let tokens = userAgent.split(separator: " ").map(String.init)
        guard let first = tokens.first else { return nil }
        let parsed: (Vendor, String, String)?
        if first == "Yealink" || first.hasPrefix("Yealink-") {
            parsed = Self.yealink(tokens)
        } else if let snom = tokens.firstIndex(where: { $0.hasPrefix("snom") && $0.hasSuffix("-SIP") }), snom + 1 < tokens.count {
            parsed = (.snom, String(tokens[snom].dropFirst(4).dropLast(4)), tokens[snom + 1])
        } else if first == "Fanvil" || first == "Htek" {
            // The model may be two words (`X6U Pro`); the version is the first dotted number.
            guard let versionIndex = tokens.indices.dropFirst(2).first(where: { Self.isVersion(tokens[$0]) }) else { return nil }
            parsed = (first == "Fanvil" ? .fanvil : .htek, tokens[1..<versionIndex].joined(separator: " "), tokens[versionIndex])
        } else if first == "Grandstream" {
            parsed = Self.grandstream(tokens)
        } else {
            parsed = nil
        }
        guard let (vendor, model, version) = parsed, !model.isEmpty, model.count <= 64, version.count <= 64, Self.isVersion(version),
            model.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f })
        else { return nil }
        self.vendor = vendor
        self.model = model
        self.version = version
    }

    private static func yealink(_ tokens: [String]) -> (Vendor, String, String)? {
        var rest = tokens
        if rest[0].hasPrefix("Yealink-") {
            rest[0] = String(rest[0].dropFirst("Yealink-".count))
        } else {
            rest.removeFirst()
        }
        if rest.first == "SIP" { rest.removeFirst() }
        guard rest.count >= 2 else { return nil }
        var model = rest[0]
        if model.hasPrefix("SIP-") { model.removeFirst(4) }
        return (.yealink, model, rest[1])
    }

    private static func grandstream(_ tokens: [String]) -> (Vendor, String, String)? {
        if let hw = tokens.firstIndex(of: "HW"), hw + 1 < tokens.count, let sw = tokens.firstIndex(of: "SW"), sw + 1 < tokens.count {
            return (.grandstream, tokens[hw + 1], tokens[sw + 1])
        }
        // `Grandstream GXP2000 (gxp2000e.bin:1.2.5.3/boot55e.bin:1.1.6.9)`: the application image's version.
        guard tokens.count >= 3, let colon = tokens[2].firstIndex(of: ":") else { return nil }
        let version = tokens[2][tokens[2].index(after: colon)...].prefix { $0 != "/" && $0 != ")" }
        return (.grandstream, tokens[1], String(version))
    }

    private static func isVersion(_ token: String) -> Bool {
        token.contains(".") && token.first?.isNumber == true && token.allSatisfy { $0.isNumber || $0 == "." }
    }
}
