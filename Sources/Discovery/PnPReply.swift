import Provisioning

/// The two messages that answer a PnP SUBSCRIBE (RFC 3261 §8.2.6, RFC 6665 §4.2):
/// a `200 OK`, then a `NOTIFY` whose body is the provisioning URL.
public enum PnPReply {
    /// - Parameters:
    ///   - subscribe: The request being answered.
    ///   - source: The datagram's source (`ip`, `port`): where replies go and what rport/received record.
    ///   - local: Our address and port as the phone should see them.
    ///   - tag: Our To-tag.
    public static func ok(_ subscribe: PnPSubscribe, source: (ip: String, port: Int), local: (ip: String, port: Int), tag: String) -> SIPMessage {
        let request = subscribe.message
        var headers: [(name: String, value: String)] = []
        for (index, via) in request.values("Via").enumerated() {
            headers.append(("Via", index == 0 ? Self.stamp(via: via, source: source) : via))
        }
        headers.append(("From", request["From"]!))
        let to = request["To"]!
        headers.append(("To", to.lowercased().contains(";tag=") ? to : "\(to);tag=\(tag)"))
        headers.append(("Call-ID", subscribe.callID))
        headers.append(("CSeq", request["CSeq"]!))
        headers.append(("Contact", "<sip:\(local.ip):\(local.port)>"))
        headers.append(("Expires", "0"))
        return SIPMessage(startLine: .response(code: 200, reason: "OK"), headers: headers)
    }

    /// - Parameters:
    ///   - url: The provisioning URL the phone should use.
    ///   - branch: A fresh Via branch (without the magic cookie).
    ///   - cseq: Our CSeq number for the NOTIFY.
    public static func notify(
        _ subscribe: PnPSubscribe, source: (ip: String, port: Int), local: (ip: String, port: Int), tag: String, url: String, branch: String,
        cseq: Int = 1
    ) -> SIPMessage {
        let request = subscribe.message
        let to = request["To"]!
        let fromTag = to.lowercased().contains(";tag=") ? to : "\(to);tag=\(tag)"
        let target = request["Contact"].flatMap(Self.uri(ofNameAddress:)) ?? "sip:\(source.ip):\(source.port)"
        let headers: [(name: String, value: String)] = [
            ("Via", "SIP/2.0/UDP \(local.ip):\(local.port);branch=z9hG4bK\(branch);rport"),
            ("Max-Forwards", "70"),
            ("From", fromTag),
            ("To", request["From"]!),
            ("Call-ID", subscribe.callID),
            ("CSeq", "\(cseq) NOTIFY"),
            ("Contact", "<sip:\(local.ip):\(local.port)>"),
            ("Event", request["Event"]!),
            ("Subscription-State", "terminated;reason=timeout"),
            ("Content-Type", "application/url"),
        ]
        return SIPMessage(startLine: .request(method: "NOTIFY", uri: target), headers: headers, body: url)
    }

    /// The provisioning URL in the form each vendor reads (PROTOCOLS.md §3.3).
    /// - Parameter server: `scheme://host:port` (``PnPSettings/phoneBaseURL``).
    public static func url(server: String, subscribe: PnPSubscribe, token: String? = nil) -> String {
        let base = "\(server)/" + (token.map { "p/\($0)/" } ?? "")
        switch subscribe.vendor {
        case .snom:
            return base + "snom\(subscribe.model.map { $0.lowercased().hasPrefix("snom") ? String($0.dropFirst(4)) : $0 } ?? "D785")-{mac}.htm"
        case .fanvil: return base + "$mac.cfg"
        default: return base
        }
    }

    /// Fills in `received=` and `rport=` on the top Via, as a server must (RFC 3581).
    static func stamp(via: String, source: (ip: String, port: Int)) -> String {
        var parts = via.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        var hasRport = false
        for index in parts.indices.dropFirst() {
            let name = parts[index].split(separator: "=").first.map { $0.trimmingCharacters() } ?? ""
            if name.lowercased() == "rport" {
                parts[index] = "rport=\(source.port)"
                hasRport = true
            }
        }
        parts.removeAll { $0.lowercased().hasPrefix("received=") }
        var result = parts.joined(separator: ";")
        if !hasRport { result += ";rport=\(source.port)" }
        return result + ";received=\(source.ip)"
    }

    static func uri(ofNameAddress value: String) -> String? {
        guard let open = value.firstIndex(of: "<"), let close = value.firstIndex(of: ">"), open < close else {
            let bare = value.split(separator: ";").first.map(String.init)
            return bare?.isEmpty == false ? bare : nil
        }
        return String(value[value.index(after: open)..<close])
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String { String(trimmingBlanks()) }
}
