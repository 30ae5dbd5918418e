import Foundation
import Logging
import Testing

@testable import Provisioning

@Suite struct PhonebookTests {
    static let hostile = [PhonebookEntry(name: #"O'Brien & <Sons> "Ltd""#, number: "201"), PhonebookEntry(name: "Alice", number: "202")]

    @Test(arguments: Vendor.allCases)
    func everyFormatEscapesNames(vendor: Vendor) throws {
        let document = PhonebookFormat.render(vendor, entries: Self.hostile.sorted())
        #expect(document.contains("O&apos;Brien &amp; &lt;Sons&gt; &quot;Ltd&quot;"), "\(vendor)")
        #expect(!document.contains("<Sons>"), "\(vendor)")
        // Alice sorts first.
        let alice = try #require(document.range(of: "Alice"))
        let obrien = try #require(document.range(of: "O&apos;Brien"))
        #expect(alice.lowerBound < obrien.lowerBound)
        let roots: [Vendor: String] = [
            .yealink: "<YealinkIPPhoneDirectory>", .grandstream: "<AddressBook>", .fanvil: "<PhoneBook>", .htek: "<PhoneDirectory>",
            .snom: "<SnomIPPhoneMenu>",
        ]
        #expect(document.contains(roots[vendor]!))
    }

    @Test func yealinkFormatReadsBack() {
        let document = PhonebookFormat.render(.yealink, entries: Self.hostile)
        #expect(PhonebookFormat.parseYealink(document) == Self.hostile)
        #expect(PhonebookFormat.parseYealink("<html><body>login</body></html>") == nil)
    }

    @Test func phonesArePointedAtThePhonebookOnlyWhenItIsOn() async throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.saveAccount(AccountRecord(extensionNumber: "204", authUsername: "204", password: "pw", displayName: "Bob"))
        for mac in ["001565000001", "000413000002", "c074ad000003", "001fc1000004"] {
            try store.addDevice(mac: MACAddress(parsing: mac), vendor: nil, model: nil, templateName: nil, extensionNumber: "204", actor: "t")
        }
        func build() async throws -> ProvisioningSnapshot {
            try await SnapshotBuilder(store: store, credentials: LocalAccountCredentialSource(store: store)).build(logger: Logger(label: "t")).0
        }
        func body(_ snapshot: ProvisioningSnapshot, _ path: String) -> String {
            if case .file(let file, _) = snapshot.answer(path: path[...], userAgent: nil, remoteIP: nil) {
                return String(decoding: file.body, as: UTF8.self)
            }
            return ""
        }
        let off = try await build()
        #expect(!body(off, "/001565000001.cfg").contains("remote_phonebook"))
        #expect(body(off, "/phonebook/yealink.xml").contains("<Name>Bob</Name>"))
        try store.set(.phonebook, to: "on")
        let on = try await build()
        let base = "http://192.168.1.10:8480/phonebook"
        #expect(body(on, "/001565000001.cfg").contains("remote_phonebook.data.1.url = \(base)/yealink.xml\nremote_phonebook.data.1.name = Company\n"))
        #expect(body(on, "/snomD785-000413000002.htm").contains("<dkey_directory perm=\"RW\">url \(base)/snom.xml</dkey_directory>"))
        #expect(body(on, "/cfgc074ad000003.xml").contains("<P330>1</P330>"))
        #expect(body(on, "/cfgc074ad000003.xml").contains("<P331>192.168.1.10:8480/phonebook</P331>"))
        #expect(body(on, "/cfg001fc1000004.xml").contains("PhonebookXmlDownload_ServerPath\">\(base)/htek.xml</P331>"))
        #expect(body(on, "/phonebook/phonebook.xml").contains("<AddressBook>"))
    }

    @Test func externalEntriesMergeAndLocalOnesWin() async throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.saveAccount(AccountRecord(extensionNumber: "204", authUsername: "204", password: "pw", displayName: "Bob"))
        let cache = PhonebookCache()
        cache.update(
            source: "http://other/phonebook/yealink.xml",
            entries: [PhonebookEntry(name: "Remote Bob", number: "204"), PhonebookEntry(name: "Zoe", number: "3001")])
        let snapshot = try await SnapshotBuilder(store: store, credentials: LocalAccountCredentialSource(store: store), externalPhonebooks: cache)
            .build(logger: Logger(label: "t")).0
        guard case .file(let file, _) = snapshot.answer(path: "/phonebook/htek.xml", userAgent: nil, remoteIP: nil) else {
            Issue.record("no phonebook")
            return
        }
        let text = String(decoding: file.body, as: UTF8.self)
        #expect(text.contains("<Name>Bob</Name>"))
        #expect(text.contains("<Name>Zoe</Name>"))
        #expect(!text.contains("Remote Bob"))
    }
}
