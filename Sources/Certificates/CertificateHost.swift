import SwiftASN1
import X509

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A name the server certificate is for: an IP address or a DNS name, as its SAN entry.
///
/// Phones compare the host of the provisioning URL with the SAN entries, an IP address only with
/// iPAddress entries: an IP written as a dNSName would not match.
enum CertificateHost: Sendable, Equatable {
    case ipAddress([UInt8])
    case dnsName(String)

    /// Parses a host as an admin gives it.
    /// - Throws: ``CertificateError`` when `text` is neither an IP address nor a DNS name.
    init(_ text: String) throws(CertificateError) {
        // A bracketed IPv6 literal is how it appears in URLs; the brackets are not part of the address.
        let bare = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        if let bytes = Self.address(bare, family: AF_INET, size: 4) ?? Self.address(bare, family: AF_INET6, size: 16) {
            self = .ipAddress(bytes)
            return
        }
        let labels = bare.split(separator: ".", omittingEmptySubsequences: false)
        let valid =
            !bare.isEmpty && bare.utf8.count <= 253
            && labels.allSatisfy { label in
                !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.utf8.allSatisfy { $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
            }
        guard valid else {
            throw CertificateError("host '\(text)': neither an IP address nor a DNS name")
        }
        self = .dnsName(bare.lowercased())
    }

    /// The SAN entry.
    var generalName: GeneralName {
        switch self {
        case .ipAddress(let bytes): .ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes)))
        case .dnsName(let name): .dnsName(name)
        }
    }

    private static func address(_ text: String, family: Int32, size: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: size)
        let parsed = bytes.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) }
        return parsed == 1 ? bytes : nil
    }
}

extension UInt8 {
    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }
}
