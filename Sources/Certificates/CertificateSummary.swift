import Crypto
public import Foundation
import SwiftASN1
public import X509

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `tls show` prints of a certificate: who it is for, who issued it, until when, and its fingerprint.
public struct CertificateSummary: Sendable {
    /// RFC 4514 form, e.g. `CN=pbx.example`.
    public let subject: String
    public let issuer: String
    /// The SAN entries as `openssl` prints them: `DNS:pbx.example`, `IP:192.0.2.10`, `URI:...`, `email:...`.
    public let subjectAlternativeNames: [String]
    public let notBefore: Date
    public let notAfter: Date
    /// SHA-256 of the DER certificate as upper-case hex pairs joined by `:`, as `openssl x509 -fingerprint -sha256`
    /// prints it; an admin compares it with what a phone's web page shows for the server or the CA.
    public let sha256Fingerprint: String

    public init(_ certificate: Certificate) {
        self.subject = certificate.subject.description
        self.issuer = certificate.issuer.description
        let names = (try? certificate.extensions.subjectAlternativeNames) ?? nil
        self.subjectAlternativeNames = names.map { $0.map(Self.text) } ?? []
        self.notBefore = certificate.notValidBefore
        self.notAfter = certificate.notValidAfter
        self.sha256Fingerprint = SHA256.hash(data: certificate.derBytes).map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return hex.count == 1 ? "0" + hex : hex
        }.joined(separator: ":")
    }

    /// Whole days until `notAfter`; negative once expired.
    public func daysLeft(now: Date = Date()) -> Int {
        Int((notAfter.timeIntervalSince(now) / 86_400).rounded(.down))
    }

    private static func text(_ name: GeneralName) -> String {
        switch name {
        case .dnsName(let name): "DNS:\(name)"
        case .ipAddress(let octets): "IP:\(address(Array(octets.bytes)))"
        case .uniformResourceIdentifier(let uri): "URI:\(uri)"
        case .rfc822Name(let mail): "email:\(mail)"
        case .directoryName(let name): "DirName:\(name)"
        case .registeredID(let id): "Registered ID:\(id)"
        case .otherName(let other): "othername:\(other.typeID)"
        case .x400Address: "X400Name:<unsupported>"
        case .ediPartyName: "EdiPartyName:<unsupported>"
        }
    }

    private static func address(_ bytes: [UInt8]) -> String {
        let family: Int32
        switch bytes.count {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return bytes.map { String($0, radix: 16) }.joined(separator: ":")
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &text, socklen_t(text.count)) } != nil
        guard ok else { return "?" }
        return String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
