/// One HTTP/1.x request from a phone, reduced to what provisioning needs.
struct PhoneHTTPRequest: Hashable, Sendable {
    /// The method as sent (`GET`, `HEAD`, ...).
    var method: String
    /// The request target as sent (`/001565aabbcc.cfg?x=1`).
    var target: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    var minorVersion: Int
    /// Whether the connection stays open after the response.
    var keepAlive: Bool
    /// The `User-Agent` header, if any.
    var userAgent: String?
    /// The `Range` header, if any (`bytes=0-1023`).
    var range: String?
    /// The `If-None-Match` header, if any.
    var ifNoneMatch: String?
    /// The last address of the last `X-Forwarded-For` header: the client as the nearest proxy saw it.
    /// Believed only from a `trusted-proxies` address.
    var forwardedFor: String?

    /// The target without its query string.
    var path: Substring {
        guard let query = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return target[...] }
        return target[..<query]
    }
}

/// Why a request could not be read; the connection is answered 400 (or 431) and closed.
struct PhoneHTTPRequestError: Error, Hashable, Sendable, CustomStringConvertible {
    enum Kind: Hashable, Sendable {
        case headTooLarge
        case malformedRequestLine
        case malformedHeader
        case unsupportedVersion
        case bodyNotAllowed
    }

    let kind: Kind
    let detail: String

    var description: String { detail }

    static func headTooLarge(_ limit: Int) -> Self {
        Self(kind: .headTooLarge, detail: "request head larger than \(limit) bytes")
    }

    static func malformedRequestLine(_ line: String) -> Self {
        Self(kind: .malformedRequestLine, detail: "malformed request line \(String(reflecting: line))")
    }

    static func malformedHeader(_ line: String) -> Self {
        Self(kind: .malformedHeader, detail: "malformed header line \(String(reflecting: line))")
    }

    static func unsupportedVersion(_ version: String) -> Self {
        Self(kind: .unsupportedVersion, detail: "unsupported protocol \(String(reflecting: version))")
    }

    static func bodyNotAllowed(_ detail: String) -> Self {
        Self(kind: .bodyNotAllowed, detail: detail)
    }
}
