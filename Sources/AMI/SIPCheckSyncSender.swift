import NIOCore
import NIOPosix

/// Sends a check-sync `NOTIFY` straight to a phone over UDP, for phones Asterisk cannot reach.
public enum SIPCheckSyncSender {
    /// Sends one NOTIFY and returns without waiting for the phone's answer.
    /// - Parameters:
    ///   - host: The phone's IP address.
    ///   - port: The phone's SIP port.
    ///   - user: The user part of its contact, when known.
    public static func send(to host: String, port: Int, user: String?) async throws {
        let remote = try SocketAddress(ipAddress: host, port: port)
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(to: remote)
            .get()
        defer { channel.close(promise: nil) }
        let local = channel.localAddress?.ipAddress ?? "0.0.0.0"
        let localPort = channel.localAddress?.port ?? 5060
        let message = request(host: host, port: port, user: user, localHost: local, localPort: localPort)
        try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: ByteBuffer(string: message))).get()
    }

    /// The NOTIFY text (RFC 3261 framing, CRLF line ends).
    static func request(host: String, port: Int, user: String?, localHost: String, localPort: Int, token: String = randomToken()) -> String {
        let target = "sip:" + (user.map { "\($0)@" } ?? "") + "\(host):\(port)"
        return [
            "NOTIFY \(target) SIP/2.0",
            "Via: SIP/2.0/UDP \(localHost):\(localPort);branch=z9hG4bK\(token);rport",
            "Max-Forwards: 70",
            "From: <sip:autoprovision@\(localHost)>;tag=\(token)",
            "To: <\(target)>",
            "Call-ID: \(token)@\(localHost)",
            "CSeq: 1 NOTIFY",
            "Contact: <sip:autoprovision@\(localHost):\(localPort)>",
            "Subscription-State: terminated",
            "Event: \(CheckSyncNotifier.event)",
            "User-Agent: autoprovision",
            "Content-Length: 0",
            "",
            "",
        ].joined(separator: "\r\n")
    }

    static func randomToken() -> String {
        String((0..<16).map { _ in "0123456789abcdef".randomElement()! })
    }
}
