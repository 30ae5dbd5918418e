import Crypto
import Foundation

/// HTTP Digest as SIP uses it (RFC 3261 §22.4, RFC 2617 §3.2), for answering a phone
/// that challenges a check-sync NOTIFY (Snom with `challenge_checksync=on`).
///
/// Only MD5 with `qop=auth` or no qop: what phones ask for. A challenge with another
/// algorithm or only `auth-int` is refused, not answered wrongly.
public struct SIPDigestChallenge: Hashable, Sendable {
    public var realm: String
    public var nonce: String
    public var opaque: String?
    /// True when the challenge offers `qop=auth`.
    public var qopAuth: Bool

    /// Parses a `WWW-Authenticate` or `Proxy-Authenticate` value.
    /// - Throws: ``SIPDigestError`` naming what is missing or not supported.
    public init(parsing header: String) throws(SIPDigestError) {
        let trimmed = header.drop { $0 == " " }
        guard trimmed.lowercased().hasPrefix("digest ") else { throw .notDigest(String(header.prefix(40))) }
        let parameters = Self.parameters(trimmed.dropFirst("digest ".count))
        guard let realm = parameters["realm"], let nonce = parameters["nonce"] else { throw .missingParameter("realm or nonce") }
        let algorithm = parameters["algorithm"]?.uppercased() ?? "MD5"
        guard algorithm == "MD5" else { throw .unsupported("algorithm \(algorithm)") }
        let qops = (parameters["qop"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard qops.isEmpty || qops.contains("auth") else { throw .unsupported("qop \(qops.joined(separator: ","))") }
        self.realm = realm
        self.nonce = nonce
        self.opaque = parameters["opaque"]
        self.qopAuth = qops.contains("auth")
    }

    /// The `Authorization` (or `Proxy-Authorization`) value for one request.
    /// - Parameters:
    ///   - method: The request's method (`NOTIFY`).
    ///   - uri: Its Request-URI.
    ///   - username: The SIP account's auth name.
    ///   - password: Its password.
    ///   - cnonce: The client nonce, when `qop=auth`.
    ///   - nonceCount: How often this nonce was used, when `qop=auth`.
    public func authorization(method: String, uri: String, username: String, password: String, cnonce: String, nonceCount: Int = 1) -> String {
        let ha1 = Self.md5Hex("\(username):\(realm):\(password)")
        let ha2 = Self.md5Hex("\(method):\(uri)")
        let count = String(nonceCount, radix: 16)
        let nc = String(repeating: "0", count: max(0, 8 - count.count)) + count
        let response =
            qopAuth
            ? Self.md5Hex("\(ha1):\(nonce):\(nc):\(cnonce):auth:\(ha2)")
            : Self.md5Hex("\(ha1):\(nonce):\(ha2)")
        var fields = [
            "username=\"\(username)\"", "realm=\"\(realm)\"", "nonce=\"\(nonce)\"", "uri=\"\(uri)\"", "response=\"\(response)\"", "algorithm=MD5",
        ]
        if qopAuth { fields += ["qop=auth", "nc=\(nc)", "cnonce=\"\(cnonce)\""] }
        if let opaque { fields.append("opaque=\"\(opaque)\"") }
        return "Digest " + fields.joined(separator: ", ")
    }

    static func md5Hex(_ text: String) -> String {
        Insecure.MD5.hash(data: Array(text.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// `realm="a, b", nonce=xyz` gives `["realm": "a, b", "nonce": "xyz"]`; names lowercased.
    static func parameters(_ text: Substring) -> [String: String] {
        var result: [String: String] = [:]
        var rest = text[...]
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "," || $0 == "\t" }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let name = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...].drop { $0 == " " }
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    } else {
                        value.append(character)
                    }
                }
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            if result[name] == nil { result[name] = value }
        }
        return result
    }
}

/// A challenge this client cannot answer.
public enum SIPDigestError: Error, Hashable, Sendable, CustomStringConvertible {
    case notDigest(String)
    case missingParameter(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .notDigest(let header): "challenge is not Digest: \(String(reflecting: header))"
        case .missingParameter(let name): "Digest challenge has no \(name)"
        case .unsupported(let what): "Digest challenge asks for unsupported \(what)"
        }
    }
}
