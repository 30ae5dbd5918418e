import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@testable import HTTPTFTP

/// The request decoder without sockets: drip-fed, batched and hostile input.
@Suite struct PhoneHTTPRequestDecoderTests {
    let yealink =
        "GET /001565aabbcc.cfg HTTP/1.1\r\nHost: 192.0.2.10:8480\r\nUser-Agent: Yealink SIP-T46G 28.72.0.1 00:15:65:4a:a9:37\r\nAccept: */*\r\n\r\n"

    @Test func decodesWhateverTheChunking() throws {
        let snom = "HEAD /snomD785-000413922D24.htm?mac=000413922D24 HTTP/1.0\r\nuser-agent:Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33)\r\n\r\n"
        let bare = "GET / HTTP/1.1\nConnection: close\n\n"
        let withBody = "GET /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
        let inputs = [yealink, snom, bare, withBody].map { ByteBuffer(string: $0) }
        let expected = [
            PhoneHTTPRequest(
                method: "GET", target: "/001565aabbcc.cfg", minorVersion: 1, keepAlive: true,
                userAgent: "Yealink SIP-T46G 28.72.0.1 00:15:65:4a:a9:37"),
            PhoneHTTPRequest(
                method: "HEAD", target: "/snomD785-000413922D24.htm?mac=000413922D24", minorVersion: 0, keepAlive: false,
                userAgent: "Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33)"),
            PhoneHTTPRequest(method: "GET", target: "/", minorVersion: 1, keepAlive: false, userAgent: nil),
            PhoneHTTPRequest(method: "GET", target: "/x", minorVersion: 1, keepAlive: true, userAgent: nil),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: zip(inputs, expected).map { ($0, [$1]) },
            decoderFactory: { PhoneHTTPRequestDecoder() }
        )
    }

    @Test func pipelinedRequestsComeOutInOrder() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(PhoneHTTPRequestDecoder()))
        try channel.writeInbound(ByteBuffer(string: yealink + "GET /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nxyGET /c HTTP/1.1\r\n\r\n"))
        #expect(try channel.readInbound(as: PhoneHTTPRequest.self)?.target == "/001565aabbcc.cfg")
        #expect(try channel.readInbound(as: PhoneHTTPRequest.self)?.target == "/b")
        #expect(try channel.readInbound(as: PhoneHTTPRequest.self)?.target == "/c")
        #expect(try channel.finish().isClean)
    }

    @Test func theForwardedForAddressIsTheLastOneTheNearestProxyAdded() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(PhoneHTTPRequestDecoder()))
        try channel.writeInbound(
            ByteBuffer(
                string: "GET /a HTTP/1.1\r\nX-Forwarded-For: 10.0.0.1, 198.51.100.7\r\n\r\n"
                    + "GET /b HTTP/1.1\r\nx-forwarded-for: \(String(repeating: "9", count: 100))\r\n\r\nGET /c HTTP/1.1\r\n\r\n"))
        #expect(try channel.readInbound(as: PhoneHTTPRequest.self)?.forwardedFor == "198.51.100.7")
        #expect(try channel.readInbound(as: PhoneHTTPRequest.self)?.forwardedFor == nil, "an overlong value is dropped")
        #expect(try channel.readInbound(as: PhoneHTTPRequest.self)?.forwardedFor == nil)
        #expect(try channel.finish().isClean)
    }

    @Test(arguments: [
        ("GARBAGE\r\n\r\n", PhoneHTTPRequestError.Kind.malformedRequestLine),
        ("get / HTTP/1.1\r\n\r\n", .malformedRequestLine),
        ("GET /a b HTTP/1.1\r\n\r\n", .malformedRequestLine),
        ("GET / HTTP/2.0\r\n\r\n", .unsupportedVersion),
        ("GET / HTTP/1.1\r\nNo colon here\r\n\r\n", .malformedHeader),
        ("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", .malformedHeader),
        ("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", .bodyNotAllowed),
        ("GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", .bodyNotAllowed),
        ("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", .bodyNotAllowed),
        ("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", .bodyNotAllowed),
    ])
    func refusesMalformedHeads(input: String, kind: PhoneHTTPRequestError.Kind) {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(PhoneHTTPRequestDecoder()))
        #expect(performing: { try channel.writeInbound(ByteBuffer(string: input)) }, throws: { ($0 as? PhoneHTTPRequestError)?.kind == kind })
        _ = try? channel.finish()
    }

    @Test func refusesAnEndlessHead() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(PhoneHTTPRequestDecoder()))
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n"))
        let header = ByteBuffer(string: "X-Filler: " + String(repeating: "a", count: 1000) + "\r\n")
        var thrown: (any Error)?
        for _ in 0..<40 where thrown == nil {
            do { try channel.writeInbound(header) } catch { thrown = error }
        }
        #expect((thrown as? PhoneHTTPRequestError)?.kind == .headTooLarge)
        _ = try? channel.finish()
    }

    @Test func pathsThatCouldLeaveTheRootAreRefused() {
        for path in ["/../etc/passwd", "/a/..", "/%2e%2e/x", "/a\\b", "relative", "/" + String(repeating: "a", count: 2000)] {
            #expect(!RequestPath.isAcceptable(path[...]), "\(path)")
        }
        for path in ["/", "/001565aabbcc.cfg", "/snomD785-000413AABBCC.htm", "/a.b/c.d"] {
            #expect(RequestPath.isAcceptable(path[...]), "\(path)")
        }
    }
}
