import Crypto
import Foundation
import SwiftASN1
import X509

extension Certificate {
    /// The DER encoding, as sent in a TLS handshake and hashed for fingerprints.
    var derBytes: [UInt8] {
        var serializer = DER.Serializer()
        // A parsed or freshly made certificate always serializes: it keeps the bytes it was made of.
        try! serializer.serialize(self)
        return serializer.serializedBytes
    }

    /// The subject for messages: `CN=pbx.example`, or a placeholder for an empty subject.
    var subjectText: String {
        let text = subject.description
        return text.isEmpty ? "(empty subject)" : text
    }

    /// The PEM text of one certificate.
    var pemText: String {
        PEMDocument(type: "CERTIFICATE", derBytes: derBytes).pemString + "\n"
    }

    /// Parses one `CERTIFICATE` PEM block, naming `what` when it is not a certificate.
    static func parse(_ block: PEMBlock, what: String) throws(CertificateError) -> Certificate {
        guard block.label == "CERTIFICATE" else {
            throw CertificateError("\(what) is a \(block.label), not a CERTIFICATE")
        }
        do {
            return try Certificate(pemEncoded: block.text)
        } catch {
            throw CertificateError("\(what) is not a valid certificate: \(Self.reason(error))")
        }
    }

    /// The reason of a swift-asn1 or swift-certificates error, without its type name and source location
    /// (`ASN1Error.invalidASN1Object: <reason> /path/File.swift:12`), which mean nothing to an admin.
    static func reason(_ error: any Error) -> String {
        var text = String(describing: error)
        if text.hasPrefix("ASN1Error.") || text.hasPrefix("CertificateError."), let colon = text.range(of: ": ") {
            let code = text[text.index(after: text.firstIndex(of: ".")!)..<colon.lowerBound]
            text = String(text[colon.upperBound...])
            if let space = text.lastIndex(of: " "), text[space...].contains(".swift:") {
                text = String(text[..<space])
            } else if text.contains(".swift:") {
                text = ""
            }
            if text.trimmingCharacters(in: .whitespaces).isEmpty { text = String(code) }
        }
        return text
    }
}
