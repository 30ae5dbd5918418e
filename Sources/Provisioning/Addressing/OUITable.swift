/// Which vendor owns a MAC prefix.
///
/// Phones often announce themselves as `OEM`, and an admin may add a device
/// without naming its vendor, so the IEEE prefix is the most reliable clue.
/// The table is data: extend it when a vendor ships a new prefix.
public enum OUITable {
    /// Known prefixes (six lowercase hex digits) and their vendor.
    public static let prefixes: [String: Vendor] = [
        "001565": .yealink,
        "805ec0": .yealink,
        "249ad8": .yealink,
        "44dbd2": .yealink,
        "000413": .snom,
        "0c383e": .fanvil,
        "7c2f80": .fanvil,
        "000b82": .grandstream,
        "c074ad": .grandstream,
        "ec74d7": .grandstream,
        "001fc1": .htek,
    ]

    /// The vendor that owns `mac`'s prefix, if the table knows it.
    /// - Parameter mac: The phone's address.
    public static func vendor(for mac: MACAddress) -> Vendor? {
        prefixes[mac.oui]
    }
}
