import Foundation

/// Where a star-code call came from.
struct CallerAddress: Hashable, Sendable {
    enum Source: String, Sendable {
        /// `CHANNEL(pjsip,remote_addr)`: the packet's real source, set by Asterisk.
        case channel
        /// A `Via` header the dialplan passed on: written by the phone, so weaker evidence.
        case via
    }

    var ip: String
    var source: Source

    /// `192.0.2.31:5060` or `[2001:db8::1]:5060` (CHANNEL(pjsip,remote_addr)) to its host.
    static func host(ofRemoteAddress text: String) -> String? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") { return String(rest[rest.index(after: rest.startIndex)..<close]) }
        if rest.filter({ $0 == ":" }).count == 1, let colon = rest.firstIndex(of: ":") { rest = rest[..<colon] }
        return rest.isEmpty ? nil : String(rest)
    }

    /// `SIP/2.0/UDP 192.0.2.31:5060;branch=z9hG4bK1;received=198.51.100.7;rport`: `received=` wins over the sent-by host.
    static func host(ofVia via: String) -> String? {
        let first = via.split(separator: ",").first.map(String.init) ?? via
        let parts = first.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        if let received = parts.dropFirst().first(where: { $0.lowercased().hasPrefix("received=") }) {
            return String(received.dropFirst("received=".count))
        }
        guard let sentBy = parts.first?.split(separator: " ", omittingEmptySubsequences: true).last else { return nil }
        return host(ofRemoteAddress: String(sentBy))
    }
}
