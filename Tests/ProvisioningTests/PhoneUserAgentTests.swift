import Foundation
import Testing

@testable import Provisioning

/// The User-Agents of the vector file, each read to its vendor, model and firmware version.
@Suite struct PhoneUserAgentTests {
    static let vectors: [String] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors/http_user_agents_provisioning.txt")
        return ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
    }()

    @Test func everyVectorIsRead() throws {
        let expected: [(Vendor, String, String)] = [
            (.yealink, "T46G", "28.72.0.1"), (.yealink, "T21P_E2", "52.80.0.3"), (.yealink, "VP-T49G", "51.80.0.10"),
            (.yealink, "W52P", "25.80.0.15"), (.yealink, "T46G", "28.71.0.81"), (.snom, "710", "8.7.5.35"), (.snom, "D785", "10.1.33.33"),
            (.fanvil, "X4", "2.10.2.6887"), (.fanvil, "X6U Pro", "0.0.10"), (.grandstream, "GXP1628", "1.0.4.138"),
            (.grandstream, "GRP2614", "1.0.5.15"), (.grandstream, "GXP2000", "1.2.5.3"), (.htek, "UC903", "2.0.4.2"),
        ]
        #expect(Self.vectors.count == expected.count)
        for (agent, (vendor, model, version)) in zip(Self.vectors, expected) {
            let parsed = try #require(PhoneUserAgent(agent), "not read: \(agent)")
            #expect(parsed == PhoneUserAgent(vendor: vendor, model: model, version: version), "\(agent)")
        }
    }

    @Test(arguments: [
        "", "curl/8.0", "Yealink", "Yealink SIP-T46G", "Fanvil X4 mac", "Grandstream", "Htek UC903 notaversion",
        String(repeating: "Yealink ", count: 60),
    ])
    func otherAgentsAreNotRead(agent: String) {
        #expect(PhoneUserAgent(agent) == nil)
    }

    @Test func aFetchRecordsWhatThePhoneReports() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mac = try MACAddress(parsing: "001565aabbcc")
        try store.addDevice(mac: mac, vendor: nil, model: nil, templateName: nil, extensionNumber: nil, actor: "test")
        let at = Date()
        try store.recordFetches([
            FetchEvent(mac: mac, at: at, ip: "192.0.2.7", port: 1000, userAgent: "Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc")
        ])
        var device = try #require(try store.device(mac: mac)).device
        #expect(device.model == "T46S" && device.firmwareVersion == "66.86.0.15" && device.lastIP == "192.0.2.7" && device.lastConfigFetch != nil)
        // The same report again is bookkeeping only: no re-render.
        let revision = try store.revision()
        try store.recordFetches([
            FetchEvent(
                mac: mac, at: at.addingTimeInterval(1), ip: "192.0.2.7", port: 1000, userAgent: "Yealink SIP-T46S 66.86.0.15 00:15:65:aa:bb:cc")
        ])
        #expect(try store.revision() == revision)
        // Another vendor's User-Agent for a Yealink-recorded phone, or none, leaves model and firmware alone but records the fetch.
        try store.updateDevice(mac: mac, vendor: .yealink, model: nil)
        try store.recordFetches([FetchEvent(mac: mac, at: at.addingTimeInterval(5), ip: "192.0.2.8", port: 1000, userAgent: "Htek UC903 2.0.4.2 x")])
        try store.recordFetches([FetchEvent(mac: mac, at: at.addingTimeInterval(6), ip: "192.0.2.9", port: 1000, userAgent: nil)])
        device = try #require(try store.device(mac: mac)).device
        #expect(device.model == "T46S" && device.firmwareVersion == "66.86.0.15" && device.lastIP == "192.0.2.9")
    }
}
