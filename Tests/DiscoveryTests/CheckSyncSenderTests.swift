import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import Discovery

@Suite struct CheckSyncSenderTests {
    /// The stand-in phone answers from the shared concurrency pool, which a busy full run can hold up for
    /// seconds: these tests check what is answered, not how fast.
    static let busy = Duration.seconds(30)

    @Test func digestKnownAnswers() throws {
        // RFC 2617 §3.5, with the method and URI of its example.
        let rfc = try SIPDigestChallenge(
            parsing:
                #"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#
        )
        let header = rfc.authorization(method: "GET", uri: "/dir/index.html", username: "Mufasa", password: "Circle Of Life", cnonce: "0a4f113b")
        #expect(header.contains(#"response="6629fae49393a05397450978507c4ef1""#))
        #expect(header.contains("qop=auth, nc=00000001, cnonce=\"0a4f113b\""))
        #expect(header.contains(#"opaque="5ccc069c403ebaf9f0171e9517f40e41""#))
        // No qop (RFC 2069 form): md5(HA1:nonce:HA2), as Asterisk and older phones use it.
        let plain = try SIPDigestChallenge(parsing: "Digest realm=asterisk,nonce=abc123,algorithm=md5")
        let answer = plain.authorization(method: "NOTIFY", uri: "sip:200@192.0.2.5:5060", username: "200", password: "secret200", cnonce: "x")
        #expect(
            answer
                == #"Digest username="200", realm="asterisk", nonce="abc123", uri="sip:200@192.0.2.5:5060", response="fcfcac8e5c6afce5c34f3880ad93ac23", algorithm=MD5"#
        )
    }

    @Test func challengesThatCannotBeAnsweredAreRefusedByName() {
        #expect(throws: SIPDigestError.notDigest("Basic realm=\"x\"")) { try SIPDigestChallenge(parsing: "Basic realm=\"x\"") }
        #expect(throws: SIPDigestError.missingParameter("realm or nonce")) { try SIPDigestChallenge(parsing: "Digest realm=\"x\"") }
        #expect(throws: SIPDigestError.unsupported("algorithm SHA-256")) {
            try SIPDigestChallenge(parsing: "Digest realm=\"x\", nonce=\"y\", algorithm=SHA-256")
        }
        #expect(throws: SIPDigestError.unsupported("qop auth-int")) {
            try SIPDigestChallenge(parsing: "Digest realm=\"x\", nonce=\"y\", qop=\"auth-int\"")
        }
    }

    @Test func requestIsWellFormed() throws {
        let request = CheckSyncRequest(
            requestURI: "sip:guest@192.0.2.41:5062;ob", local: ("192.0.2.10", 40000), callID: "c1@autoprovision", fromTag: "t1",
            event: "check-sync;reboot=true"
        )
        let text = request.message(cseq: 1, branch: "abc").serialized
        #expect(text.hasPrefix("NOTIFY sip:guest@192.0.2.41:5062;ob SIP/2.0\r\n"))
        #expect(text.contains("\r\nVia: SIP/2.0/UDP 192.0.2.10:40000;branch=z9hG4bKabc;rport\r\n"))
        #expect(text.contains("\r\nTo: <sip:guest@192.0.2.41:5062;ob>\r\n"))
        #expect(text.contains("\r\nEvent: check-sync;reboot=true\r\n"))
        #expect(text.contains("\r\nSubscription-State: terminated\r\n"))
        #expect(text.hasSuffix("Content-Length: 0\r\n\r\n"))
        // It parses back as SIP, and only answers of its own Call-ID and CSeq match it.
        let parsed = try SIPMessage(parsing: Array(text.utf8))
        #expect(parsed["CSeq"] == "1 NOTIFY")
        let answer = try SIPMessage(parsing: Array("SIP/2.0 200 OK\r\nCall-ID: c1@autoprovision\r\nCSeq: 1 NOTIFY\r\n\r\n".utf8))
        #expect(request.matches(answer, cseq: 1))
        #expect(!request.matches(answer, cseq: 2))
        let other = try SIPMessage(parsing: Array("SIP/2.0 200 OK\r\nCall-ID: other\r\nCSeq: 1 NOTIFY\r\n\r\n".utf8))
        #expect(!request.matches(other, cseq: 1))
    }

    /// A stand-in for a Snom with `challenge_checksync=on`, which pjsua cannot play: it answers the first
    /// NOTIFY with 401 from another port than its SIP port (as the Snom wiki's capture shows), and the
    /// second with 200 only when its Authorization is right for the account's password.
    @Test func answersASnomStyleChallengeWithThePhonesOwnAccount() async throws {
        let phone = try await ChallengingPhone.start(password: "secret200")
        let answer = try await CheckSyncSender.send(
            requestURI: "sip:200@127.0.0.1:\(phone.port)", host: "127.0.0.1", port: phone.port, credentials: ("200", "secret200"),
            event: "check-sync;reboot=true", timeout: Self.busy
        )
        #expect(answer == CheckSyncSender.Answer(code: 200, reason: "OK", authenticated: true))
        // The NOTIFY and its answer to the challenge; a busy machine may add a retransmission of the first.
        #expect(phone.received.withLock { $0 }.count >= 2)
        let second = try #require(phone.received.withLock { $0 }.last)
        #expect(second["CSeq"] == "2 NOTIFY")
        #expect(second["Event"] == "check-sync;reboot=true")

        let wrong = try await ChallengingPhone.start(password: "secret200")
        await #expect(throws: CheckSyncSendError.credentialsRejected(401)) {
            try await CheckSyncSender.send(
                requestURI: "sip:200@127.0.0.1:\(wrong.port)", host: "127.0.0.1", port: wrong.port, credentials: ("200", "not-it"),
                event: "check-sync",
                timeout: Self.busy
            )
        }
        let anonymous = try await ChallengingPhone.start(password: "secret200")
        await #expect(throws: CheckSyncSendError.challengedWithoutCredentials(401)) {
            try await CheckSyncSender.send(
                requestURI: "sip:200@127.0.0.1:\(anonymous.port)", host: "127.0.0.1", port: anonymous.port, credentials: nil, event: "check-sync",
                timeout: Self.busy
            )
        }
    }

    @Test func aSilentPhoneIsReportedAfterTheTimeoutAndRetransmittedTo() async throws {
        let silent = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
            }
        }
        let port = silent.channel.localAddress!.port!
        let received = Mutex(0)
        let listening = Task {
            try await silent.executeThenClose { inbound, _ in
                for try await _ in inbound { received.withLock { $0 += 1 } }
            }
        }
        // 6 s: retransmissions are due at 0.5, 1.5 and 3.5 s, and a busy full run can delay them.
        await #expect(throws: CheckSyncSendError.noAnswer("127.0.0.1:\(port)", .seconds(6))) {
            try await CheckSyncSender.send(
                requestURI: "sip:127.0.0.1:\(port)", host: "127.0.0.1", port: port, credentials: nil, event: "check-sync", timeout: .seconds(6)
            )
        }
        // The first try and at least one retransmission arrived (the reader may lag behind on a busy machine).
        for _ in 0..<100 where received.withLock({ $0 }) < 2 { try await Task.sleep(for: .milliseconds(100)) }
        silent.channel.close(promise: nil)
        _ = try? await listening.value
        #expect((2...4).contains(received.withLock { $0 }))
        await #expect(throws: CheckSyncSendError.badAddress("phone.example:5060")) {
            try await CheckSyncSender.send(requestURI: "sip:x", host: "phone.example", port: 5060, credentials: nil, event: "check-sync")
        }
    }
}

/// Answers NOTIFYs on its SIP port from a second socket, challenging each call once.
final class ChallengingPhone: Sendable {
    let port: Int
    let received = Mutex<[SIPMessage]>([])

    private init(port: Int) {
        self.port = port
    }

    static func start(password: String) async throws -> ChallengingPhone {
        typealias Channel = NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>
        func open() async throws -> Channel {
            try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { try Channel(wrappingChannelSynchronously: channel) }
            }
        }
        let sip = try await open()
        let reply = try await open()
        let phone = ChallengingPhone(port: sip.channel.localAddress!.port!)
        Task {
            try await reply.executeThenClose { _, replies in
                try await sip.executeThenClose { inbound, _ in
                    for try await datagram in inbound {
                        guard let request = try? SIPMessage(parsing: Array(buffer: datagram.data)) else { continue }
                        phone.received.withLock { $0.append(request) }
                        let uri: String = if case .request(_, let uri) = request.startLine { uri } else { "" }
                        var headers: [(name: String, value: String)] = ["Via", "From", "To", "Call-ID", "CSeq"].compactMap { name in
                            request[name].map { (name, $0) }
                        }
                        let status: String
                        if let authorization = request["Authorization"] {
                            status =
                                authorization.contains("response=\"\(Self.expected(authorization, uri: uri, password: password))\"")
                                ? "200 OK" : "401 Unauthorized"
                        } else {
                            status = "401 Unauthorized"
                        }
                        if status.hasPrefix("401") {
                            headers.append(("WWW-Authenticate", #"Digest realm="snom", nonce="n0nce42", qop="auth", algorithm=MD5"#))
                        }
                        let text = "SIP/2.0 \(status)\r\n" + headers.map { "\($0.name): \($0.value)\r\n" }.joined() + "Content-Length: 0\r\n\r\n"
                        try await replies.write(AddressedEnvelope(remoteAddress: datagram.remoteAddress, data: ByteBuffer(string: text)))
                        if status.hasPrefix("200") || request["Authorization"] != nil { break }
                    }
                }
            }
        }
        return phone
    }

    /// What the phone computes from its own password (RFC 2617 §3.2.2.1, qop=auth).
    static func expected(_ authorization: String, uri: String, password: String) -> String {
        let fields = SIPDigestChallenge.parameters(authorization.dropFirst("Digest ".count))
        let ha1 = SIPDigestChallenge.md5Hex("\(fields["username"] ?? ""):snom:\(password)")
        let ha2 = SIPDigestChallenge.md5Hex("NOTIFY:\(uri)")
        return SIPDigestChallenge.md5Hex("\(ha1):n0nce42:\(fields["nc"] ?? ""):\(fields["cnonce"] ?? ""):auth:\(ha2)")
    }
}
