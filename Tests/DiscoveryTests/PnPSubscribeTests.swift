import Foundation
import Logging
import Provisioning
import Testing

@testable import Discovery

@Suite struct PnPSubscribeTests {
    /// A vector file's SIP text without `#` comments, with CRLF line ends as on the wire.
    static func wire(_ name: String, part: Int = 0) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors/\(name)")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).filter {
            !$0.hasPrefix("#")
        }
        // Messages are separated by a blank line followed by a start line.
        var messages: [[Substring]] = [[]]
        for line in lines {
            if line.hasPrefix("SIP/2.0 ") || line.hasPrefix("NOTIFY ") || line.hasPrefix("SUBSCRIBE "), !(messages.last?.isEmpty ?? true) {
                messages.append([])
            }
            messages[messages.count - 1].append(line)
        }
        var chosen = messages[part]
        while chosen.last?.isEmpty == true { chosen.removeLast() }
        let headerEnd = chosen.firstIndex(of: "") ?? chosen.count
        let head = chosen[..<headerEnd].joined(separator: "\r\n") + "\r\n\r\n"
        let body = headerEnd < chosen.count ? chosen[(headerEnd + 1)...].joined(separator: "\r\n") : ""
        return Array((head + body).utf8)
    }

    @Test(arguments: [
        ("sip_pnp_subscribe_yealink_w52p_ngrep.txt", "001565f4f9e1", Vendor.yealink, "W52P", "25.81.0.10"),
        ("sip_pnp_subscribe_yealink_t21_mikopbx_testclient.txt", "0015657322f1", .yealink, "T21D", "34.72.14.6"),
        ("sip_pnp_subscribe_grandstream_grp2612w.txt", "c074ad112233", .grandstream, "GRP2612W", "1.0.5.67"),
        ("sip_pnp_subscribe_snom_official.txt", "00135e874b49", nil, "OEM", "7.1.19"),
    ])
    func readsTheRealSubscribes(file: String, mac: String, vendor: Vendor?, model: String, version: String) throws {
        let subscribe = try PnPSubscribe(SIPMessage(parsing: Self.wire(file)))
        #expect(subscribe.mac.compact == mac)
        #expect(subscribe.vendor == vendor)
        #expect(subscribe.model == model)
        #expect(subscribe.firmwareVersion == version)
    }

    @Test func refusesWhatIsNotAUsablePnPRequest() throws {
        // The Snom M700 manual masks its MAC: no usable MAC, refused.
        #expect(throws: PnPSubscribeError.self) { try PnPSubscribe(SIPMessage(parsing: Self.wire("sip_pnp_subscribe_snom_m700_dect.txt"))) }
        // The PLANET manual's capture starts without a request line.
        #expect(throws: SIPParseError.self) { try SIPMessage(parsing: Self.wire("sip_pnp_subscribe_planet_fanvil_oem.txt")) }
        #expect(throws: SIPParseError.self) { try SIPMessage(parsing: Array("\u{1}\u{0}binary".utf8)) }
        #expect(throws: SIPParseError.self) { try SIPMessage(parsing: Array(repeating: 65, count: 9000)) }
        let register = "REGISTER sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nCall-ID: 1\r\n\r\n"
        #expect(throws: PnPSubscribeError.notSubscribe) { try PnPSubscribe(SIPMessage(parsing: Array(register.utf8))) }
        let dialog = "SUBSCRIBE sip:MAC001565aabbcc@224.0.1.75 SIP/2.0\r\nEvent: dialog\r\nCall-ID: 1\r\n\r\n"
        #expect(throws: PnPSubscribeError.notUAProfile("dialog")) { try PnPSubscribe(SIPMessage(parsing: Array(dialog.utf8))) }
    }

    @Test func everyMACSpellingAndTheFromFallback() {
        for uri in [
            "sip:MAC%3a001565aabbcc@224.0.1.75", "sip:MAC%3A001565AABBCC@h", "sip:MAC:00-15-65-aa-bb-cc@h", "sip:MAC=001565aabbcc@h",
            "sip:MAC001565aabbcc@h",
        ] {
            #expect(PnPSubscribe.mac(inURI: uri)?.compact == "001565aabbcc", "\(uri)")
        }
        #expect(PnPSubscribe.mac(inURI: "sip:224.0.1.75:5060") == nil)
        #expect(PnPSubscribe.mac(inURI: "sip:MACzzzzzzzzzzzz@h") == nil)
        #expect(PnPSubscribe.mac(inNameAddress: "<sip:MAC%3a000413aabbcc@10.0.0.90>;tag=x")?.compact == "000413aabbcc")
        #expect(PnPSubscribe.parameters(of: #"ua-profile;profile-type="device";vender="Panasonic";model="KX""#)["vender"] == "Panasonic")
    }

    @Test func compactHeadersAndFoldedLines() throws {
        let text =
            "SUBSCRIBE sip:MAC001565aabbcc@224.0.1.75 SIP/2.0\r\nv: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK1\r\nf: <sip:a@b>;tag=1\r\nt: <sip:a@b>\r\ni: abc\r\nCSeq: 1 SUBSCRIBE\r\no: ua-profile;\r\n vendor=\"yealink\"\r\n\r\n"
        let subscribe = try PnPSubscribe(SIPMessage(parsing: Array(text.utf8)))
        #expect(subscribe.callID == "abc")
        #expect(subscribe.announcedVendor == "yealink")
    }

    @Test func repliesMatchTheRecommendedExchangeByteForByte() throws {
        let subscribe = try PnPSubscribe(SIPMessage(parsing: Self.wire("sip_pnp_subscribe_snom_official.txt")))
        let source = (ip: "192.168.10.67", port: 5060)
        let local = (ip: "192.168.100.10", port: 5060)
        let ok = PnPReply.ok(subscribe, source: source, local: local, tag: "a1b2c3d4")
        let notify = PnPReply.notify(
            subscribe, source: source, local: local, tag: "a1b2c3d4", url: "http://192.168.100.10/prov/snom.htm", branch: "7f3e9a21")
        #expect(Array(ok.serialized.utf8) == (try Self.wire("sip_pnp_recommended_reply_rfc.txt", part: 0)))
        #expect(Array(notify.serialized.utf8) == (try Self.wire("sip_pnp_recommended_reply_rfc.txt", part: 1)))
    }

    @Test func urlsPerVendor() throws {
        let yealink = try PnPSubscribe(SIPMessage(parsing: Self.wire("sip_pnp_subscribe_yealink_w52p_ngrep.txt")))
        #expect(PnPReply.url(server: "http://192.0.2.10:8480", subscribe: yealink) == "http://192.0.2.10:8480/")
        #expect(
            PnPReply.url(server: "http://192.0.2.10:8480", subscribe: yealink, token: "Zm9vYmFyZm9vYmFyZm9vYg")
                == "http://192.0.2.10:8480/p/Zm9vYmFyZm9vYmFyZm9vYg/")
        // HTTPS on: the NOTIFY names the https server, as PnPSettings builds it.
        var settings = PnPSettings.defaults
        settings.pbxHost = "192.0.2.10"
        settings.httpsListening = 8443
        #expect(PnPReply.url(server: settings.phoneBaseURL, subscribe: yealink) == "https://192.0.2.10:8443/")
        settings.phoneScheme = .http
        #expect(PnPReply.url(server: settings.phoneBaseURL, subscribe: yealink) == "http://192.0.2.10:8480/")
    }
}

/// A neighbour table with fixed entries.
struct FixedNeighbours: NeighbourLookup {
    var entries: [String: MACAddress]
    func mac(for ip: String) -> MACAddress? { entries[ip] }
}

@Suite struct PrivateURLHandoutTests {
    @Test func onlyThePhoneItselfIsToldItsPrivateURL() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pnp-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try ProvisioningStore(path: directory.appendingPathComponent("db.sqlite").path, defaultHost: "192.0.2.1")
        let phone = try MACAddress(parsing: "001565aabbcc")
        try store.addDevice(mac: phone, vendor: nil, model: nil, templateName: nil, extensionNumber: nil, actor: "t")
        let snapshot = try await SnapshotBuilder(store: store, credentials: LocalAccountCredentialSource(store: store)).build(
            logger: Logger(label: "t")
        ).0
        let table = FixedNeighbours(entries: ["192.0.2.10": phone, "192.0.2.11": try MACAddress(parsing: "001565ddeeff")])
        #expect(PnPResponder.privateToken(for: phone, at: "192.0.2.10", snapshot: snapshot, neighbours: table) == (try store.token(mac: phone)))
        // A SUBSCRIBE naming the MAC from another host, or from behind a router, gets the plain URL.
        #expect(PnPResponder.privateToken(for: phone, at: "192.0.2.11", snapshot: snapshot, neighbours: table) == nil)
        #expect(PnPResponder.privateToken(for: phone, at: "198.51.100.7", snapshot: snapshot, neighbours: table) == nil)
        #expect(PnPResponder.privateToken(for: phone, at: "192.0.2.10", snapshot: snapshot, neighbours: nil) == nil)
    }
}
