import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@testable import AMI

@Suite struct AMIFrameDecoderTests {
    func decodeAll(_ text: String, expectsBanner: Bool = false) throws -> [AMIFrame] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(AMIFrameDecoder(expectsBanner: expectsBanner)))
        try channel.writeInbound(ByteBuffer(string: text))
        var frames: [AMIFrame] = []
        while let frame = try channel.readInbound(as: AMIFrame.self) { frames.append(frame) }
        _ = try channel.finish()
        return frames
    }

    func messages(_ frames: [AMIFrame]) -> [AMIMessage] {
        frames.compactMap { if case .message(let message) = $0 { message } else { nil } }
    }

    @Test func realCaptureWithInterleavedEvents() throws {
        // The server's side of the capture: everything but the client's actions.
        let wire = try Vectors.wire("ami_md5_login_pjsipshowendpoints_real.txt") { !$0.hasPrefix("Action:") }
        let decoded = messages(try decodeAll(wire))
        #expect(
            decoded.map { $0["Event"] ?? "Response:" + ($0["Response"] ?? "") } == [
                "Response:Success", "Response:Success", "FullyBooted", "SuccessfulAuth", "Response:Success", "EndpointList", "EndpointList",
                "EndpointListComplete", "Response:Goodbye",
            ])
        #expect(decoded[0]["challenge"] == "186191623")
        #expect(decoded[5]["Contacts"] == "")
        #expect(decoded[6]["Contacts"] == "dcs-aor/sip:sip.digiumcloud.net,")
    }

    @Test func bannerHasNoBlankLineAfterIt() throws {
        let wire = "Asterisk Call Manager/1.2\r\nResponse: Success\r\nMessage: Authentication accepted\r\n\r\n"
        let frames = try decodeAll(wire, expectsBanner: true)
        #expect(frames.first == .banner(version: "1.2"))
        #expect(messages(frames).first?["Message"] == "Authentication accepted")
        #expect(throws: AMIProtocolError.notAnAMIServer("SSH-2.0-OpenSSH_9.2")) { try decodeAll("SSH-2.0-OpenSSH_9.2\r\n", expectsBanner: true) }
    }

    @Test func errorTextEndingInALiteralLineBreak() throws {
        let wire = "Response: Error\r\nActionID: 7\r\nMessage: No endpoints found\n\r\n\r\nResponse: Success\r\nActionID: 8\r\n\r\n"
        let decoded = messages(try decodeAll(wire))
        #expect(decoded.count == 2)
        #expect(decoded[0]["Message"] == "No endpoints found")
        #expect(decoded[1].actionID == "8")
    }

    @Test func legacyResponseFollows() throws {
        let wire = try Vectors.wire("ami_command_response_follows_legacy_real.txt")
        let decoded = messages(try decodeAll(wire))
        #expect(decoded.count == 2)
        #expect(decoded[0]["ActionID"] == "amp13-49415")
        #expect(decoded[0].output.count == 2)
        #expect(decoded[0].output[1].hasPrefix("0004132a766bport2/0004132"))
        #expect(decoded[1].values("Output").count == 2)
    }

    @Test func bareLineFeedsAndAnyChunking() throws {
        let first = AMIMessage([("Response", "Success"), ("ActionID", "1"), ("Message", "Authentication accepted")])
        let second = AMIMessage([("Event", "Reload"), ("Privilege", "system,all"), ("Module", "All"), ("Status", "0")])
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [
                (ByteBuffer(string: "Response: Success\nActionID: 1\nMessage: Authentication accepted\n\n"), [.message(first)]),
                (ByteBuffer(string: "Event: Reload\r\nPrivilege: system,all\r\nModule:  All\r\nStatus: 0\r\n\r\n"), [.message(second)]),
            ],
            decoderFactory: { AMIFrameDecoder(expectsBanner: false) }
        )
    }

    @Test func eventsOfTheReferenceFilesDecode() throws {
        for name in ["ami_events_config_change.txt", "ami_pjsipshowendpoint_fields_testsuite.txt", "ami_getconfig_sipconf.txt"] {
            let wire = try Vectors.wire(name) { !$0.hasPrefix("Action:") }
            let decoded = messages(try decodeAll(wire))
            #expect(!decoded.isEmpty, "\(name)")
            #expect(decoded.allSatisfy { $0.isEvent || $0.isResponse }, "\(name)")
        }
        let detail = messages(try decodeAll(try Vectors.wire("ami_pjsipshowendpoint_fields_testsuite.txt")))
        #expect(detail.first { $0["Event"] == "AuthDetail" }?["Password"] == "xxx")
    }

    @Test func hostileInputIsRefusedNotBuffered() throws {
        #expect(throws: AMIProtocolError.lineTooLong(AMIFrameDecoder.maximumLineLength)) {
            try decodeAll(String(repeating: "A", count: AMIFrameDecoder.maximumLineLength + 10))
        }
        #expect(throws: AMIProtocolError.malformedLine("garbage without colon")) { try decodeAll("garbage without colon\r\n\r\n") }
        let many = (0...AMIFrameDecoder.maximumLines).map { "K\($0): v\r\n" }.joined()
        #expect(throws: AMIProtocolError.messageTooLarge(AMIFrameDecoder.maximumLines)) { try decodeAll(many) }
    }

    @Test func actionsRefuseInjectedLines() throws {
        var buffer = ByteBuffer()
        try AMIAction("Login", [("Username", "u"), ("Secret", "s")]).encode(actionID: "1", into: &buffer)
        #expect(String(buffer: buffer) == "Action: Login\r\nActionID: 1\r\nUsername: u\r\nSecret: s\r\n\r\n")
        #expect(throws: AMIActionError.self) { try AMIAction("Login", [("Username", "u\r\nAction: Command")]).encode(actionID: "2", into: &buffer) }
        #expect(!AMIAction("Login", [("Secret", "topsecret"), ("Key", "abc")]).description.contains("topsecret"))
    }

    @Test func md5MatchesRFC1321() {
        #expect(AMILoginKey.md5Hex([]) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(AMILoginKey.md5Hex(Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(AMILoginKey.md5Hex(Array("message digest".utf8)) == "f96b697d7cb7938d525a2f31aaf161d0")
        #expect(
            AMILoginKey.md5Hex(Array("12345678901234567890123456789012345678901234567890123456789012345678901234567890".utf8))
                == "57edf4a22be3c955ac49da2e2107b67a")
    }
}
