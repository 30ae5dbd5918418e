import Foundation
import Logging
import Testing

@testable import Provisioning

/// A credential source that is down, as the AMI client is before its first sync.
struct UnavailableCredentials: CredentialSource {
    func credentials(for extensions: Set<String>) async throws(CredentialSourceError) -> [String: SIPCredentials] {
        throw CredentialSourceError(reason: "not synced yet")
    }

    func phonebook() async throws(CredentialSourceError) -> [PhonebookEntry] {
        throw CredentialSourceError(reason: "not synced yet")
    }
}

@Suite struct SnapshotTests {
    let logger = Logger(label: "test")

    func build(_ store: ProvisioningStore, credentials: (any CredentialSource)? = nil) async throws -> ProvisioningSnapshot {
        try await SnapshotBuilder(store: store, credentials: credentials ?? LocalAccountCredentialSource(store: store)).build(logger: logger).0
    }

    func body(_ answer: ProvisioningAnswer) -> String? {
        if case .file(let file, _) = answer { return String(decoding: file.body, as: UTF8.self) }
        return nil
    }

    @Test func unboundPhoneGetsTheGuestAccount() async throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.addDevice(mac: MACAddress(parsing: "001565aabbcc"), vendor: nil, model: nil, templateName: nil, extensionNumber: nil, actor: "t")
        let secret = try store.settings().guestSecret
        let snapshot = try await build(store)
        let text = try #require(body(snapshot.answer(path: "/001565aabbcc.cfg", userAgent: nil, remoteIP: nil)))
        #expect(text.contains("account.1.user_name = guest\n"))
        #expect(text.contains("account.1.password = \(secret)\n"))
    }

    @Test func aPreviewRendersOnePhoneWithSecretsMasked() async throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.saveAccount(AccountRecord(extensionNumber: "204", authUsername: "204", password: "S3cret", displayName: "A"))
        let one = try MACAddress(parsing: "001565000001")
        try store.addDevice(mac: one, vendor: nil, model: nil, templateName: nil, extensionNumber: "204", actor: "t")
        try store.addDevice(mac: MACAddress(parsing: "001565000002"), vendor: nil, model: nil, templateName: nil, extensionNumber: nil, actor: "t")
        let builder = SnapshotBuilder(store: store, credentials: LocalAccountCredentialSource(store: store), maskSecrets: true)
        let (snapshot, _) = try await builder.build(logger: Logger(label: "t"), only: one)
        #expect(snapshot.deviceCount == 1 && snapshot.status(of: one) == .bound)
        let file = try #require(snapshot.file(for: one))
        let text = String(decoding: file.file.body, as: UTF8.self)
        #expect(file.vendor == .yealink && text.contains("account.1.password = ********\n") && !text.contains("S3cret"))
        #expect(snapshot.phonebookEntries.isEmpty)
    }

    @Test func vendorIsDecidedByRecordThenPrefixThenUserAgent() async throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A Fanvil recorded on a Yealink prefix: the record wins.
        try store.addDevice(
            mac: MACAddress(parsing: "001565000001"), vendor: .fanvil, model: nil, templateName: nil, extensionNumber: nil, actor: "t")
        // Unknown prefix, no record: only the User-Agent can tell.
        try store.addDevice(mac: MACAddress(parsing: "aabbcc000002"), vendor: nil, model: nil, templateName: nil, extensionNumber: nil, actor: "t")
        try store.addDevice(mac: MACAddress(parsing: "c074ad000003"), vendor: nil, model: nil, templateName: nil, extensionNumber: nil, actor: "t")
        let snapshot = try await build(store)
        #expect(
            body(snapshot.answer(path: "/001565000001.cfg", userAgent: "Yealink SIP-T46G", remoteIP: nil))?.hasPrefix("<<VOIP CONFIG FILE>>") == true)
        #expect(body(snapshot.answer(path: "/aabbcc000002.cfg", userAgent: "Yealink SIP-T46G", remoteIP: nil))?.hasPrefix("#!version") == true)
        #expect(body(snapshot.answer(path: "/aabbcc000002.cfg", userAgent: "Fanvil X4", remoteIP: nil))?.hasPrefix("<<VOIP") == true)
        #expect(body(snapshot.answer(path: "/cfgaabbcc000002.xml", userAgent: "Htek UC903", remoteIP: nil))?.contains("<hl_provision") == true)
        guard case .notFound = snapshot.answer(path: "/aabbcc000002.cfg", userAgent: "curl", remoteIP: nil) else {
            Issue.record("an undecidable vendor must be 404")
            return
        }
        #expect(body(snapshot.answer(path: "/cfgc074ad000003.xml", userAgent: "Htek", remoteIP: nil))?.contains("<gs_provision") == true)
        guard case .notFound = snapshot.answer(path: "/c074ad000003.cfg", userAgent: nil, remoteIP: nil) else {
            Issue.record("a Grandstream asking for a Yealink name must be 404")
            return
        }
    }

    @Test func missingCredentialsMean503NeverAnEmptyPassword() async throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.addDevice(mac: MACAddress(parsing: "001565aabbcc"), vendor: nil, model: nil, templateName: nil, extensionNumber: "204", actor: "t")
        for snapshot in [try await build(store), try await build(store, credentials: UnavailableCredentials())] {
            #expect(snapshot.phonesWaitingForCredentials == 1)
            guard case .unavailable(_, let retryAfter) = snapshot.answer(path: "/001565aabbcc.cfg", userAgent: nil, remoteIP: nil) else {
                Issue.record("expected 503")
                continue
            }
            #expect(retryAfter > 0)
        }
        try store.saveAccount(AccountRecord(extensionNumber: "204", authUsername: "204", password: "pw204", displayName: "Bob"))
        #expect(body(try await build(store).answer(path: "/001565aabbcc.cfg", userAgent: nil, remoteIP: nil))?.contains("pw204") == true)
    }

    @Test func macListsRefuseBlacklistWinningOverWhitelist() async throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        for mac in ["001565000001", "001565000002", "001565000003"] {
            try store.addDevice(mac: MACAddress(parsing: mac), vendor: nil, model: nil, templateName: nil, extensionNumber: nil, actor: "t")
        }
        try store.set(.macWhitelist, to: "001565000001,001565000002")
        try store.set(.macBlacklist, to: "00:15:65:00:00:02")
        let snapshot = try await build(store)
        #expect(body(snapshot.answer(path: "/001565000001.cfg", userAgent: nil, remoteIP: nil)) != nil)
        for mac in ["001565000002", "001565000003"] {
            guard case .forbidden = snapshot.answer(path: "/\(mac).cfg", userAgent: nil, remoteIP: nil) else {
                Issue.record("\(mac) must be refused")
                continue
            }
        }
    }

    /// The table a request is first looked up in holds a phone's file only under a name the full answer gives
    /// the same way to every requester: a phone the MAC lists refuse, one whose vendor only the User-Agent can
    /// tell, and a name a URI mapping takes are left to the full answer.
    @Test func theOwnFileTableHoldsOnlyWhatTheFullAnswerGivesEveryone() async throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.saveAccount(AccountRecord(extensionNumber: "204", authUsername: "204", password: "pw204", displayName: "Bob"))
        try store.saveTemplate(name: "common", vendor: .yealink, body: "#!version:1.0.0.1\nserver = {PBX_HOST}\n")
        let phones: [(mac: String, vendor: Vendor?, model: String?, name: String, inTable: Bool)] = [
            ("001565000001", nil, nil, "001565000001.cfg", true),
            ("000413000002", nil, "D717", "snomD717-000413000002.htm", true),
            ("0c383e000003", nil, nil, "0c383e000003.cfg", true),
            ("c074ad000004", nil, nil, "cfgc074ad000004.xml", true),
            ("001fc1000005", nil, nil, "cfg001fc1000005.xml", true),
            ("001565000006", .fanvil, nil, "001565000006.cfg", true),
            ("aabbcc000007", nil, nil, "aabbcc000007.cfg", false),
            ("001565000008", nil, nil, "001565000008.cfg", false),
            ("001565000009", nil, nil, "001565000009.cfg", false),
        ]
        for phone in phones {
            try store.addDevice(
                mac: MACAddress(parsing: phone.mac), vendor: phone.vendor, model: phone.model, templateName: nil, extensionNumber: "204", actor: "t")
        }
        try store.mapURI("001565000008.cfg", toTemplate: "common")
        try store.set(.macBlacklist, to: "001565000009")
        let snapshot = try await build(store)
        for phone in phones {
            let mac = try MACAddress(parsing: phone.mac)
            let own = snapshot.ownFile(named: phone.name[...])
            #expect((own != nil) == phone.inTable, "\(phone.name)")
            guard let own else { continue }
            #expect(own.mac == mac)
            // What the table holds is what the full answer gives, whoever asks.
            for (userAgent, remoteIP) in [(nil, nil), ("curl/8.0", "203.0.113.9"), ("Htek UC903 2.0.4.2 \(phone.mac)", "10.0.0.5")] {
                guard case .file(let file, let answeredMAC) = snapshot.answer(named: phone.name[...], userAgent: userAgent, remoteIP: remoteIP)
                else {
                    Issue.record("the full answer for \(phone.name) is no file")
                    continue
                }
                #expect(file.body == own.file.body && answeredMAC == mac, "\(phone.name) asked by \(userAgent ?? "nobody")")
            }
            #expect(own.file.vendor == snapshot.vendor(of: mac))
        }
        // Names outside the table still get the full answer: another case, another Snom model, the mapping, the refusal.
        #expect(body(snapshot.answer(path: "/001565000001.CFG", userAgent: nil, remoteIP: nil))?.contains("pw204") == true)
        #expect(body(snapshot.answer(path: "/snomD785-000413000002.htm", userAgent: nil, remoteIP: nil))?.contains("pw204") == true)
        #expect(body(snapshot.answer(path: "/001565000008.cfg", userAgent: nil, remoteIP: nil)) == "#!version:1.0.0.1\nserver = 192.168.1.10\n")
        guard case .forbidden = snapshot.answer(path: "/001565000009.cfg", userAgent: nil, remoteIP: nil) else {
            Issue.record("a blacklisted phone must be refused")
            return
        }
    }

    @Test func templatesAndURIMappingsAreUsed() async throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.saveAccount(AccountRecord(extensionNumber: "204", authUsername: "204", password: "pw204", displayName: "Bob"))
        try store.saveTemplate(name: "mine", vendor: .yealink, body: "#!version:1.0.0.1\nmine = {SIP_NUM}\n")
        try store.saveTemplate(name: "all", vendor: .yealink, body: "#!version:1.0.0.1\ndefault = {SIP_NUM}\n", isVendorDefault: true)
        try store.saveTemplate(name: "common", vendor: .yealink, body: "#!version:1.0.0.1\nserver = {PBX_HOST}\n")
        try store.addDevice(
            mac: MACAddress(parsing: "001565000001"), vendor: nil, model: nil, templateName: "mine", extensionNumber: "204", actor: "t")
        try store.addDevice(mac: MACAddress(parsing: "001565000002"), vendor: nil, model: nil, templateName: nil, extensionNumber: "204", actor: "t")
        try store.mapURI("y000000000028.cfg", toTemplate: "common")
        try store.mapURI("phones/mine.cfg", toTemplate: "mine")
        let snapshot = try await build(store)
        #expect(body(snapshot.answer(path: "/001565000001.cfg", userAgent: nil, remoteIP: nil)) == "#!version:1.0.0.1\nmine = 204\n")
        #expect(body(snapshot.answer(path: "/001565000002.cfg", userAgent: nil, remoteIP: nil)) == "#!version:1.0.0.1\ndefault = 204\n")
        #expect(body(snapshot.answer(path: "/y000000000028.cfg", userAgent: nil, remoteIP: nil)) == "#!version:1.0.0.1\nserver = 192.168.1.10\n")
        #expect(
            body(snapshot.answer(path: "/phones/mine.cfg", userAgent: "Yealink SIP-T46G 28.72.0.1 00:15:65:00:00:01", remoteIP: nil))
                == "#!version:1.0.0.1\nmine = 204\n")
        guard case .notFound = snapshot.answer(path: "/phones/mine.cfg", userAgent: "curl", remoteIP: "203.0.113.1") else {
            Issue.record("an account template for an unknown requester must be 404")
            return
        }
    }

    /// A Fanvil says its model with a space (`Fanvil X6U Pro 0.0.10 0c383e2cd782`, from the User-Agent vectors);
    /// the admin typed the row's model another way. The phone's next file names that row, not the vendor's.
    @Test func aFanvilReportingItsModelWithASpaceGetsTheRowForIt() async throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let repository = FirmwareRepository(store: store)
        func firmware(_ name: String) throws -> URL {
            let url = directory.appendingPathComponent(name)
            try Data(repeating: 1, count: 10).write(to: url)
            return url
        }
        let wide = try repository.add(try firmware("all.z"), vendor: .fanvil)
        let pro = try repository.add(try firmware("x6upro.z"), vendor: .fanvil, model: "x6u-pro")
        let mac = try MACAddress(parsing: "0c383e2cd782")
        try store.addDevice(mac: mac, vendor: nil, model: nil, templateName: nil, extensionNumber: nil, actor: "t")
        let agent = try #require(PhoneUserAgentTests.vectors.first { $0.hasPrefix("Fanvil X6U Pro ") })
        let before = try #require(body(try await build(store).answer(path: "/0c383e2cd782.cfg", userAgent: agent, remoteIP: nil)))
        #expect(before.contains(wide.path) && !before.contains(pro.path), "a phone of unknown model gets the vendor's row")
        // What the HTTP server records of the fetch: the model as the phone says it.
        try store.recordFetches([FetchEvent(mac: mac, at: Date(), ip: "192.0.2.7", port: 5060, userAgent: agent)])
        #expect(try store.device(mac: mac)?.device.model == "X6U Pro")
        let after = try #require(body(try await build(store).answer(path: "/0c383e2cd782.cfg", userAgent: agent, remoteIP: nil)))
        #expect(after.contains("http://192.168.1.10:8480\(pro.path)"), "\(after)")
        #expect(!after.contains(wide.path))
        // Renamed to the phone's own spelling with `firmware set`, it is still the row.
        try repository.update(id: pro.id!, model: "X6U Pro")
        #expect(try #require(body(try await build(store).answer(path: "/0c383e2cd782.cfg", userAgent: agent, remoteIP: nil))).contains(pro.path))
        // Given to another model it is no longer the phone's, and with no vendor row left the phone gets none.
        try repository.remove(id: wide.id!)
        try repository.update(id: pro.id!, model: "X4")
        #expect(
            try #require(body(try await build(store).answer(path: "/0c383e2cd782.cfg", userAgent: agent, remoteIP: nil))).contains("/firmware/")
                == false)
    }
}
