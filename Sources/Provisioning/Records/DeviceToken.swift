/// The secret a phone's private provisioning URL carries (`/p/<token>/`): 128 random bits,
/// URL-safe base64 without padding, so 22 characters of `A–Z a–z 0–9 - _`.
///
/// It stands in for the MAC where the requester cannot be checked on the LAN: remote phones,
/// and vendor redirection services that map a MAC to a URL.
public enum DeviceToken {
    /// The length of every token.
    public static let length = 22

    /// A fresh token from the system's cryptographic random source.
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return encode(bytes)
    }

    /// Whether `text` has a token's shape; anything else is refused before any lookup.
    public static func isWellFormed(_ text: some StringProtocol) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy { alphabet.utf8.contains($0) }
    }

    private static let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    /// Base64url (RFC 4648 §5) of 16 bytes, without the two `=` of padding.
    static func encode(_ bytes: [UInt8]) -> String {
        let symbols = Array(alphabet.utf8)
        var bits = 0
        var buffer = 0
        var out: [UInt8] = []
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                out.append(symbols[(buffer >> bits) & 0x3f])
            }
        }
        if bits > 0 { out.append(symbols[(buffer << (6 - bits)) & 0x3f]) }
        return String(decoding: out, as: UTF8.self)
    }
}
