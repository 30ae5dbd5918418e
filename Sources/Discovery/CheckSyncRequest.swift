/// The out-of-dialog `NOTIFY` that makes a phone re-fetch its configuration (`Event: check-sync`),
/// as the daemon sends it itself (RFC 3261 §8.1.1, RFC 6665 §4.2.2).
///
/// One value per transaction family: the Call-ID, From-tag and target stay, while the
/// CSeq, Via branch and credentials change between the first try and the answer to a challenge.
public struct CheckSyncRequest: Sendable {
    /// The phone's registered contact (`sip:guest@192.0.2.41:5062;ob`).
    public var requestURI: String
    /// Our address and port as the phone sees them.
    public var local: (host: String, port: Int)
    public var callID: String
    public var fromTag: String
    /// The Event header (`check-sync;reboot=true`).
    public var event: String

    public init(requestURI: String, local: (host: String, port: Int), callID: String, fromTag: String, event: String) {
        self.requestURI = requestURI
        self.local = local
        self.callID = callID
        self.fromTag = fromTag
        self.event = event
    }

    /// - Parameters:
    ///   - cseq: The CSeq number; an answer to a challenge takes the next one.
    ///   - branch: A fresh Via branch for this transaction (without the magic cookie).
    ///   - authorization: `(Authorization or Proxy-Authorization, value)` when answering a challenge.
    public func message(cseq: Int, branch: String, authorization: (name: String, value: String)? = nil) -> SIPMessage {
        let host = local.host.contains(":") ? "[\(local.host)]" : local.host
        var headers: [(name: String, value: String)] = [
            ("Via", "SIP/2.0/UDP \(host):\(local.port);branch=z9hG4bK\(branch);rport"),
            ("Max-Forwards", "70"),
            ("From", "<sip:autoprovision@\(host)>;tag=\(fromTag)"),
            ("To", "<\(requestURI)>"),
            ("Call-ID", callID),
            ("CSeq", "\(cseq) NOTIFY"),
            ("Contact", "<sip:autoprovision@\(host):\(local.port)>"),
            ("Event", event),
            ("Subscription-State", "terminated"),
            ("User-Agent", "autoprovision"),
        ]
        if let authorization { headers.append(authorization) }
        return SIPMessage(startLine: .request(method: "NOTIFY", uri: requestURI), headers: headers)
    }

    /// Whether `response` answers the transaction with this CSeq number.
    public func matches(_ response: SIPMessage, cseq: Int) -> Bool {
        guard case .response = response.startLine, response["Call-ID"] == callID else { return false }
        let parts = (response["CSeq"] ?? "").split(separator: " ")
        return parts.count == 2 && Int(parts[0]) == cseq && parts[1].uppercased() == "NOTIFY"
    }
}
