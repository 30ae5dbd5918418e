import Foundation
import NIOCore
import NIOEmbedded
import ScriptedAGIClient
import Testing

@testable import AGI

@Suite struct AGIInboundDecoderTests {
    static let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors")

    func decode(_ text: String) throws -> [AGIInbound] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(AGIInboundDecoder()))
        try channel.writeInbound(ByteBuffer(string: text))
        var out: [AGIInbound] = []
        while let item = try channel.readInbound(as: AGIInbound.self) { out.append(item) }
        _ = try? channel.finish()
        return out
    }

    @Test func theByteExactEnvironmentBlock() throws {
        let file = try String(contentsOf: Self.vectors.appendingPathComponent("agi_fastagi_wire_raw.bin.txt"), encoding: .utf8)
        let wire = String(file.drop { $0 != "\n" }.dropFirst())
        let decoded = try decode(wire + "200 result=1 (5145552255)\n")
        guard case .environment(let environment) = decoded.first else {
            Issue.record("no environment")
            return
        }
        #expect(environment.script == "screen_blocklist")
        #expect(environment["accountcode"] == "")
        #expect(environment["calleridname"] == "Wazo-Test  - Test")
        #expect(environment.arguments == ["81ea4378-1647-4eae-ad83-26178bdc2890"])
        #expect(environment.extensionNumber == "s")
        #expect(decoded.dropFirst().first == .reply(AGIReply(code: 200, result: "1", data: "5145552255", lines: ["200 result=1 (5145552255)"])))
    }

    @Test func repliesErrorsAndHangup() throws {
        let file = try String(contentsOf: Self.vectors.appendingPathComponent("agi_responses_errors.txt"), encoding: .utf8)
        let wire = file.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n") + "\n"
        let decoded = try decode("agi_request: agi://h/x\n\n" + wire + "200 result= (timeout)\n200 result=1 (speech) endpos=1234 results=1\n")
        let replies = decoded.dropFirst()
        #expect(
            replies.map { item -> String in
                switch item {
                case .reply(let reply): "\(reply.code):\(reply.result):\(reply.data ?? "-"):\(reply.lines.count)"
                case .hangup: "HANGUP"
                case .environment: "env"
                }
            } == ["510::-:1", "511::-:1", "520::-:1", "520::-:6", "HANGUP", "200::timeout:1", "200:1:speech:1"])
    }

    @Test func anyChunking() throws {
        let wire =
            "agi_request: agi://127.0.0.1/bind\r\nagi_extension: *123*201\n\nHANGUP\n520-Invalid command syntax.  Proper usage follows:\n Usage: X\n520 End of proper usage.\n200 result=1\n"
        let whole = try decode(wire)
        // Byte by byte, as a slow network would deliver it.
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(AGIInboundDecoder()))
        var dripped: [AGIInbound] = []
        for byte in wire.utf8 {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
            while let item = try channel.readInbound(as: AGIInbound.self) { dripped.append(item) }
        }
        #expect(try channel.finish().isClean)
        #expect(whole.count == 4)
        #expect(dripped == whole)
        #expect(whole.first == .environment(AGIEnvironment(variables: ["request": "agi://127.0.0.1/bind", "extension": "*123*201"])))
    }

    @Test func refusesGarbage() {
        #expect(throws: AGIProtocolError.self) { try decode("GET / HTTP/1.1\n\n") }
        #expect(throws: AGIProtocolError.self) { try decode("agi_x: 1\n\nwhat is this\n") }
        #expect(throws: AGIProtocolError.lineTooLong(AGIInboundDecoder.maximumLineLength)) {
            try decode(String(repeating: "a", count: AGIInboundDecoder.maximumLineLength + 1))
        }
    }

    @Test func scriptPathAndQuoting() {
        #expect(AGIEnvironment(variables: ["request": "agi://127.0.0.1:4573/bind?x=1"]).script == "bind")
        #expect(AGICall.quote(#"a "b" \c"#) == #""a \"b\" \\c""#)
        #expect(FakeAsterisk.parseArguments(#"SET VARIABLE "PROVISION_STATUS" "O\"K""#) == ["SET", "VARIABLE", "PROVISION_STATUS", "O\"K"])
    }
}
