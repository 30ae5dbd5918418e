/// A phone model name as the vendors write it (`T46S`, `T21P_E2`, `VP-T49G`, `X6U Pro`, `GRP2614`):
/// the rule for names an admin types, and the comparison that finds the model a phone reports.
///
/// Phones report their model in the User-Agent (``PhoneUserAgent``), Fanvil with a space
/// (`Fanvil X6U Pro 0.0.10 0c383e2cd782`); an admin may type it `X6U-Pro`, `x6u pro` or
/// `Fanvil X6U Pro`. ``matches(_:_:vendor:)`` treats these as one model.
public enum PhoneModel {
    /// The longest name kept; the User-Agent parser reads no longer model either.
    public static let maximumLength = 64

    /// Checks a model name an admin typed and returns it as it is kept.
    ///
    /// Surrounding spaces are dropped and runs of spaces inside become one. What is left must be 1 to
    /// ``maximumLength`` ASCII letters, digits, spaces, `-`, `_`, `.` or `+`, starting with a letter or digit.
    /// - Parameters:
    ///   - name: The name as typed.
    ///   - field: The input's name, for the error.
    /// - Returns: The name to store, or nil when it is empty (no model: the device's is unknown, the firmware is for every model).
    /// - Throws: ``StoreError/invalidValue(_:)`` naming the input.
    public static func normalised(_ name: String, field: String = "model") throws(StoreError) -> String? {
        let words = name.split(separator: " ", omittingEmptySubsequences: true)
        guard !words.isEmpty else { return nil }
        let kept = words.joined(separator: " ")
        guard kept.utf8.count <= maximumLength, kept.utf8.first?.isASCIIAlphanumeric == true,
            kept.utf8.allSatisfy({ $0.isASCIIAlphanumeric || " -_.+".utf8.contains($0) })
        else {
            // Control characters are shown as '?' so the message stays on one line.
            let shown = String(name.unicodeScalars.prefix(128).map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
            throw .invalidValue(
                "\(field) '\(shown)' must be 1 to \(maximumLength) letters, digits, spaces, '-', '_', '.' or '+', starting with a letter or digit"
            )
        }
        return kept
    }

    /// What two spellings of one model have in common: lowercase, without spaces, `-` or `_`, and without
    /// a leading vendor name (`Fanvil X6U-Pro` → `x6upro`, `snomD785` → `d785`); for Yealink also without
    /// the `SIP-` of `SIP-T46S`, which the User-Agent parser drops as well.
    public static func matchKey(_ name: String, vendor: Vendor) -> String {
        var key = String(String.UnicodeScalarView(name.lowercased().unicodeScalars.filter { !" -_".unicodeScalars.contains($0) }))
        for prefix in [vendor.rawValue] + (vendor == .yealink ? ["sip"] : []) where key.hasPrefix(prefix) && key.count > prefix.count {
            key.removeFirst(prefix.count)
        }
        return key
    }

    /// True when both names are the same model of `vendor`, as ``matchKey(_:vendor:)`` compares them.
    public static func matches(_ name: String, _ other: String, vendor: Vendor) -> Bool {
        matchKey(name, vendor: vendor) == matchKey(other, vendor: vendor)
    }
}
