import NIOCore
import NIOPosix

/// Sends a check-sync `NOTIFY` from the daemon straight to one phone's contact over UDP and
/// waits for its final answer, answering one Digest challenge with the phone's own SIP account.
///
/// Asterisk's `PJSIPNotify` can aim at one contact only through a `URI:`, which it sends only
/// when a default outbound endpoint exists; on a stock pjsip.conf it drops it silently. So for a
/// contact that shares its endpoint with other phones (every unbound phone on the guest account)
/// the daemon sends the request itself. A phone that challenges (Snom with `challenge_checksync=on`)
/// wants Digest with the password of the account it is registered with, which the daemon knows.
public enum CheckSyncSender {
    /// What the phone answered.
    public struct Answer: Hashable, Sendable, CustomStringConvertible {
        public var code: Int
        public var reason: String
        /// True when the answer came after a challenge was answered.
        public var authenticated: Bool
        public var description: String { "\(code) \(reason)\(authenticated ? " (after Digest auth)" : "")" }
    }

    /// - Parameters:
    ///   - requestURI: The phone's contact URI.
    ///   - host: The address to send to (the contact's host).
    ///   - port: Its port.
    ///   - credentials: The account the phone is registered with, for a challenge.
    ///   - event: The Event header.
    ///   - timeout: How long to wait for a final answer, retransmitting as RFC 3261 §17.1.2.2 says.
    /// - Throws: ``CheckSyncSendError``.
    public static func send(
        requestURI: String, host: String, port: Int, credentials: (username: String, password: String)?, event: String,
        timeout: Duration = .seconds(4)
    ) async throws(CheckSyncSendError) -> Answer {
        let remote: SocketAddress
        do {
            remote = try SocketAddress(ipAddress: host, port: port)
        } catch {
            throw .badAddress("\(host):\(port)")
        }
        do {
            // Unconnected: a Snom answers from another port than its SIP port, and a connected socket
            // would drop that answer. The source address is the one the kernel routes to the phone from.
            let source = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(to: remote).get()
            let sourceIP = source.localAddress?.ipAddress ?? (remote.protocol == .inet6 ? "::" : "0.0.0.0")
            try? await source.close()
            let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: sourceIP, port: 0) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                    }
                }
            let local = channel.channel.localAddress
            let request = CheckSyncRequest(
                requestURI: requestURI, local: (local?.ipAddress ?? sourceIP, local?.port ?? 0), callID: "\(token())@autoprovision",
                fromTag: token(), event: event
            )
            return try await channel.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Answer?.self) { group in
                    group.addTask {
                        try await exchange(request, remote: remote, credentials: credentials, inbound: inbound, outbound: outbound)
                    }
                    group.addTask {
                        try await Task.sleep(for: timeout)
                        return nil
                    }
                    defer { group.cancelAll() }
                    guard let answer = try await group.next() ?? nil else { throw CheckSyncSendError.noAnswer("\(host):\(port)", timeout) }
                    return answer
                }
            }
        } catch let error as CheckSyncSendError {
            throw error
        } catch {
            throw .socket("\(error)")
        }
    }

    private static func exchange(
        _ request: CheckSyncRequest, remote: SocketAddress, credentials: (username: String, password: String)?,
        inbound: NIOAsyncChannelInboundStream<AddressedEnvelope<ByteBuffer>>, outbound: NIOAsyncChannelOutboundWriter<AddressedEnvelope<ByteBuffer>>
    ) async throws -> Answer {
        var cseq = 1
        var message = request.message(cseq: cseq, branch: token())
        var authenticated = false
        var responses = inbound.makeAsyncIterator()
        while true {
            // Timer E: retransmit at 0.5, 1, 2, 4 s until a provisional or final answer arrives.
            let wire = ByteBuffer(string: message.serialized)
            let retransmit = Task {
                var interval = Duration.milliseconds(500)
                try await outbound.write(AddressedEnvelope(remoteAddress: remote, data: wire))
                while !Task.isCancelled {
                    try await Task.sleep(for: interval)
                    try await outbound.write(AddressedEnvelope(remoteAddress: remote, data: wire))
                    interval = min(interval * 2, .seconds(4))
                }
            }
            defer { retransmit.cancel() }
            var final: SIPMessage?
            while final == nil, let datagram = try await responses.next() {
                guard let response = try? SIPMessage(parsing: Array(buffer: datagram.data)), request.matches(response, cseq: cseq),
                    case .response(let code, _) = response.startLine
                else { continue }
                if code < 200 {
                    retransmit.cancel()
                } else {
                    final = response
                }
            }
            retransmit.cancel()
            guard let final, case .response(let code, let reason) = final.startLine else { throw CheckSyncSendError.socket("socket closed") }
            guard code == 401 || code == 407 else { return Answer(code: code, reason: reason, authenticated: authenticated) }
            guard !authenticated else { throw CheckSyncSendError.credentialsRejected(code) }
            guard let credentials else { throw CheckSyncSendError.challengedWithoutCredentials(code) }
            let header = code == 401 ? "WWW-Authenticate" : "Proxy-Authenticate"
            guard let value = final[header] else { throw CheckSyncSendError.badChallenge("\(code) without \(header)") }
            let challenge: SIPDigestChallenge
            do {
                challenge = try SIPDigestChallenge(parsing: value)
            } catch {
                throw CheckSyncSendError.badChallenge(error.description)
            }
            let authorization = challenge.authorization(
                method: "NOTIFY", uri: request.requestURI, username: credentials.username, password: credentials.password, cnonce: token()
            )
            cseq += 1
            authenticated = true
            message = request.message(
                cseq: cseq, branch: token(), authorization: (code == 401 ? "Authorization" : "Proxy-Authorization", authorization))
        }
    }

    static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in "0123456789abcdef".randomElement(using: &generator)! })
    }
}

/// Why a check-sync NOTIFY sent by the daemon did not get a final answer.
public enum CheckSyncSendError: Error, Hashable, Sendable, CustomStringConvertible {
    case badAddress(String)
    case socket(String)
    case noAnswer(String, Duration)
    case challengedWithoutCredentials(Int)
    case credentialsRejected(Int)
    case badChallenge(String)

    public var description: String {
        switch self {
        case .badAddress(let address): "'\(address)' is not an IP address and port"
        case .socket(let reason): "cannot send: \(reason)"
        case .noAnswer(let address, let timeout): "no answer from \(address) within \(timeout)"
        case .challengedWithoutCredentials(let code): "the phone challenged the NOTIFY (\(code)) and no credentials are known for its account"
        case .credentialsRejected(let code): "the phone challenged the NOTIFY again (\(code)) after Digest auth with its account's credentials"
        case .badChallenge(let reason): "cannot answer the phone's challenge: \(reason)"
        }
    }
}
