/// A phone's Ethernet address, normalised to twelve lowercase hex digits.
///
/// Admins type MACs in every style (`00:15:65:AA:BB:CC`, `00-15-65-aa-bb-cc`,
/// `0015.65aa.bbcc`, `001565aabbcc`); all of them name the same phone, so the
/// store, the file names and the lists compare this one canonical form.
public struct MACAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Twelve lowercase hex digits, no separators (`001565aabbcc`).
    public let compact: String

    /// Parses a MAC written with any case and any of the usual separators.
    /// - Parameter text: The MAC as typed or as found in a file name or URI.
    /// - Throws: ``MACAddressError`` when the text is not twelve hex digits.
    public init(parsing text: String) throws(MACAddressError) {
        var digits: [UInt8] = []
        digits.reserveCapacity(12)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"):
                digits.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "F"):
                digits.append(byte + 32)
            case UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: " "):
                continue
            default:
                throw MACAddressError(input: text)
            }
            if digits.count > 12 { throw MACAddressError(input: text) }
        }
        guard digits.count == 12 else { throw MACAddressError(input: text) }
        self.compact = String(decoding: digits, as: UTF8.self)
    }

    /// Parses exactly twelve hex digits with no separators, as found in vendor file names.
    /// - Parameter digits: The candidate substring.
    /// - Returns: `nil` unless `digits` is exactly twelve hex digits.
    public init?(fileNameDigits digits: Substring) {
        guard digits.utf8.count == 12, digits.utf8.allSatisfy(\.isHexDigit) else { return nil }
        self.compact = digits.lowercased()
    }

    /// Takes exactly twelve lowercase hex digits, as left by lowercasing a file name.
    init?(lowercaseDigits digits: ArraySlice<UInt8>) {
        guard digits.count == 12,
            digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
        else { return nil }
        self.compact = String(decoding: digits, as: UTF8.self)
    }

    /// `00:15:65:aa:bb:cc`.
    public var colonSeparated: String {
        var out = ""
        for (index, char) in compact.enumerated() {
            if index > 0, index % 2 == 0 { out.append(":") }
            out.append(char)
        }
        return out
    }

    /// `001565AABBCC`, as Snom writes it in file names.
    public var uppercase: String { compact.uppercased() }

    /// The first three octets, `001565`.
    public var oui: String { String(compact.prefix(6)) }

    public var description: String { colonSeparated }

    public static func < (lhs: MACAddress, rhs: MACAddress) -> Bool { lhs.compact < rhs.compact }
}

/// The text given as a MAC address is not twelve hex digits.
public struct MACAddressError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The text that was refused.
    public let input: String

    public var description: String {
        "'\(input)' is not a MAC address: expected 12 hex digits, optionally separated by ':', '-' or '.'"
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"):
            true
        default:
            false
        }
    }
}
