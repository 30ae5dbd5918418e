public import Provisioning
import SwiftASN1
public import X509

/// Finds the MAC a phone's factory device certificate names.
///
/// Vendors put it in different places: Yealink and Snom in the subject CN (bare or after the model,
/// `SIP-T46S-001565AABBCC`), others in a SAN (`urn:mac:...`, a DNS name) or the subject serialNumber.
public enum DeviceCertificateName {
    /// The subject serialNumber attribute, 2.5.4.5.
    private static let serialNumberType: ASN1ObjectIdentifier = [2, 5, 4, 5]

    /// Looks, in order, at: a subject CN that is a MAC in any spelling; a CN `<model>-<MAC>` or `<model>_<MAC>`;
    /// the SAN entries (dNSName, URI, rfc822Name, otherName) holding a MAC; the subject serialNumber holding a MAC.
    /// - Returns: The first MAC found; `nil` if none.
    public static func mac(in certificate: Certificate) -> MACAddress? {
        let commonNames = strings(of: .RDNAttributeType.commonName, in: certificate.subject)
        for name in commonNames {
            if let mac = try? MACAddress(parsing: name) { return mac }
        }
        for name in commonNames {
            if let mac = trailingMAC(in: name) { return mac }
        }
        if let names = (try? certificate.extensions.subjectAlternativeNames) ?? nil {
            for name in names {
                if let text = text(of: name), let mac = macInside(text) { return mac }
            }
        }
        for serial in strings(of: serialNumberType, in: certificate.subject) {
            if let mac = macInside(serial) { return mac }
        }
        return nil
    }

    /// The MAC at the end of a CN after the model: 12 hex digits after the last `-` or `_`, or a MAC
    /// spelled with separators (`00:15:65:aa:bb:cc`, `00-15-65-AA-BB-CC`, `0015.65aa.bbcc`) that ends it.
    static func trailingMAC(in name: String) -> MACAddress? {
        let characters = Array(name.utf8)
        if let separator = characters.lastIndex(where: { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }),
            let mac = MACAddress(exactly: characters[(separator + 1)...])
        {
            return mac
        }
        for length in [17, 14] where characters.count > length {
            let start = characters.count - length
            guard characters[start - 1].isNameSeparator else { continue }
            if let mac = MACAddress(exactly: characters[start...]) { return mac }
        }
        return nil
    }

    /// The first MAC standing on its own in `text` (bounded by the text's ends or by characters that
    /// are not letters or digits): `urn:mac:001565aabbcc`, `001565aabbcc.phones.example`, `SN 00:15:65:AA:BB:CC`.
    static func macInside(_ text: String) -> MACAddress? {
        let characters = Array(text.utf8)
        for length in [12, 14, 17] where characters.count >= length {
            for start in 0...(characters.count - length) {
                let end = start + length
                guard start == 0 || !characters[start - 1].isASCIILetterOrDigit,
                    end == characters.count || !characters[end].isASCIILetterOrDigit
                else { continue }
                // The last group of a UUID (`urn:uuid:...`) is 12 hex digits too, but names no MAC.
                guard length != 12 || !endsWithUUIDPrefix(characters[..<start]) else { continue }
                if let mac = MACAddress(exactly: characters[start..<end]) { return mac }
            }
        }
        return nil
    }

    /// Whether `text` ends with the first four groups of a UUID and their dashes: `00156500-aabb-ccdd-eeff-`.
    private static func endsWithUUIDPrefix(_ text: ArraySlice<UInt8>) -> Bool {
        let groups = [8, 4, 4, 4]
        guard text.count >= groups.reduce(0, +) + groups.count else { return false }
        var index = text.endIndex
        for length in groups.reversed() {
            index -= 1
            guard text[index] == UInt8(ascii: "-") else { return false }
            index -= length
            guard text[index..<(index + length)].allSatisfy(\.isHexDigitByte) else { return false }
        }
        return true
    }

    private static func strings(of type: ASN1ObjectIdentifier, in name: DistinguishedName) -> [String] {
        name.flatMap { $0 }.filter { $0.type == type }.compactMap { String($0.value) }
    }

    /// The text of a SAN entry that can hold a MAC.
    private static func text(of name: GeneralName) -> String? {
        switch name {
        case .dnsName(let text), .uniformResourceIdentifier(let text), .rfc822Name(let text):
            return text
        case .otherName(let other):
            // The value is an [0] EXPLICIT ANY, usually a UTF8String or IA5String; its printable bytes
            // are enough to find a MAC in without knowing the type.
            guard let value = other.value else { return nil }
            var serializer = DER.Serializer()
            guard (try? serializer.serialize(value)) != nil else { return nil }
            let printable = serializer.serializedBytes.map { (0x20..<0x7F).contains($0) ? $0 : UInt8(ascii: " ") }
            return String(decoding: printable, as: UTF8.self)
        default:
            return nil
        }
    }
}

extension MACAddress {
    /// A MAC in one of the usual exact spellings: 12 hex digits; six pairs joined by `:` or `-` (one
    /// separator throughout); three quads joined by `.`. Unlike `init(parsing:)`, no other layout is taken,
    /// so a longer hex string or a date does not pass for a MAC.
    fileprivate init?(exactly characters: ArraySlice<UInt8>) {
        let bytes = Array(characters)
        let separatorPositions: [Int]
        switch bytes.count {
        case 12: separatorPositions = []
        case 17: separatorPositions = [2, 5, 8, 11, 14]
        case 14: separatorPositions = [4, 9]
        default: return nil
        }
        let separator = separatorPositions.first.map { bytes[$0] }
        switch (bytes.count, separator) {
        case (12, nil), (17, UInt8(ascii: ":")), (17, UInt8(ascii: "-")), (14, UInt8(ascii: ".")): break
        default: return nil
        }
        for (index, byte) in bytes.enumerated() {
            if separatorPositions.contains(index) {
                guard byte == separator else { return nil }
            } else {
                guard byte.isHexDigitByte else { return nil }
            }
        }
        guard let mac = try? MACAddress(parsing: String(decoding: bytes, as: UTF8.self)) else { return nil }
        self = mac
    }
}

extension UInt8 {
    fileprivate var isHexDigitByte: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }

    fileprivate var isASCIILetterOrDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }

    fileprivate var isNameSeparator: Bool {
        self == UInt8(ascii: "-") || self == UInt8(ascii: "_") || self == UInt8(ascii: " ")
    }
}
