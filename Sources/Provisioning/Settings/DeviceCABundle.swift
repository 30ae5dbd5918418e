import Foundation

/// The framing check of `settings set device-ca`: PEM `CERTIFICATE` blocks and nothing else.
///
/// Whether each block is a certificate is checked where certificates are understood (the CLI and
/// the HTTPS server); here the value is only kept from holding a key or stray text.
public enum DeviceCABundle {
    static let begin = "-----BEGIN CERTIFICATE-----"
    static let end = "-----END CERTIFICATE-----"

    /// The value to store: the blocks, one after the other, or empty for off.
    /// - Throws: ``StoreError/invalidValue(_:)`` naming the first problem.
    public static func normalise(_ value: String) throws(StoreError) -> String {
        let blocks = try blocks(in: value)
        return blocks.map { $0 + "\n" }.joined()
    }

    /// The PEM blocks of a bundle, each from its BEGIN line to its END line.
    /// - Throws: ``StoreError/invalidValue(_:)`` for text outside a block, a private key, or an unterminated block.
    public static func blocks(in value: String) throws(StoreError) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for (number, raw) in value.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if current == nil {
                if line.isEmpty { continue }
                guard line == begin else {
                    let what = line.contains("PRIVATE KEY") ? "a private key" : "'\(line.prefix(40))'"
                    throw .invalidValue("device-ca line \(number + 1): expected \(begin), found \(what)")
                }
                current = [Substring(line)]
            } else if line == end {
                current!.append(Substring(line))
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else if !line.isEmpty {
                guard line.utf8.allSatisfy({ isBase64($0) }) else {
                    throw .invalidValue("device-ca line \(number + 1): certificate block \(blocks.count + 1) holds something other than base64")
                }
                current!.append(Substring(line))
            }
        }
        guard current == nil else { throw .invalidValue("device-ca: certificate block \(blocks.count + 1) has no \(end) line") }
        return blocks
    }

    private static func isBase64(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="): true
        default: false
        }
    }
}
