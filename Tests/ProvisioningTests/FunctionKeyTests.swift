import Foundation
import Testing

@testable import Provisioning

/// BLF and speed-dial keys in every vendor's key syntax, and their storage.
@Suite struct FunctionKeyTests {
    static let keys = [
        FunctionKey(kind: .blf, value: "201", label: "Reception <desk> & \"co\""),
        FunctionKey(kind: .speed, value: "*97", label: "Voicemail"),
    ]

    static func render(_ vendor: Vendor, model: String? = nil, lines: Int = 1, keys: [FunctionKey] = keys) throws -> String {
        var context = try Fixtures.context(
            mac: "001565aabbcc", host: "pbx.example.com",
            lines: (1...lines).map { Fixtures.account("10\($0)", "L\($0)", password: "p\($0)") }, model: model
        )
        context.keys = keys
        return ConfigRenderer.render(vendor: vendor, context: context, template: nil).body
    }

    @Test func yealinkLineKeysFollowTheLines() throws {
        let body = try Self.render(.yealink)
        for line in [
            "linekey.2.type = 16", "linekey.2.line = 1", "linekey.2.value = 201", "linekey.2.label = Reception <desk> & \"co\"",
            "linekey.3.type = 13", "linekey.3.value = *97", "linekey.3.label = Voicemail",
        ] {
            #expect(body.contains(line + "\n"), "missing \(line)")
        }
        #expect(!body.contains("linekey.1."), "line 1's key is the account's")
        let twoLines = try Self.render(.yealink, lines: 2)
        #expect(twoLines.contains("linekey.3.value = 201\n"))
    }

    @Test func yealinkOverflowGoesToTheExpansionModule() throws {
        // A T41 has 15 line keys: line 1, then 14 keys on the phone, then the module.
        let keys = (1...16).map { FunctionKey(kind: .blf, value: "2\($0)") }
        let body = try Self.render(.yealink, model: "SIP-T41S", keys: keys)
        #expect(body.contains("linekey.15.value = 214\n"))
        #expect(!body.contains("linekey.16."))
        #expect(body.contains("expansion_module.1.key.1.type = 16\n"))
        #expect(body.contains("expansion_module.1.key.1.value = 215\n"))
        #expect(body.contains("expansion_module.1.key.2.value = 216\n"))
        // An unknown model keeps every key on the phone.
        #expect(try Self.render(.yealink, model: "X99", keys: keys).contains("linekey.17.value = 216\n"))
    }

    @Test func snomFunctionKeysAreEscaped() throws {
        let body = try Self.render(.snom)
        #expect(body.contains("<functionKeys e=\"2\">"))
        #expect(
            body.contains(
                "<fkey idx=\"1\" context=\"active\" label=\"Reception &lt;desk&gt; &amp; &quot;co&quot;\" perm=\"RW\">blf &lt;sip:201@pbx.example.com&gt;</fkey>"
            ))
        #expect(body.contains("<fkey idx=\"2\" context=\"active\" label=\"Voicemail\" perm=\"RW\">speed *97</fkey>"))
        // The keys sit inside <functionKeys>, which sits inside <settings>.
        let keysAt = try #require(body.range(of: "<fkey idx=\"1\""))
        let open = try #require(body.range(of: "<functionKeys"))
        let close = try #require(body.range(of: "</functionKeys>"))
        let settingsClose = try #require(body.range(of: "</settings>"))
        #expect(open.lowerBound < keysAt.lowerBound && keysAt.upperBound < close.lowerBound && close.upperBound <= settingsClose.lowerBound)
    }

    @Test func snomKeyInATemplateIsReplacedWhole() throws {
        var context = try Fixtures.context(mac: "000413aabbcc", lines: [Fixtures.account("101", "A", password: "p")])
        context.keys = [FunctionKey(kind: .speed, value: "300", label: "New")]
        let template = """
            <?xml version="1.0" encoding="utf-8"?>
            <settings>
                <phone-settings>
                </phone-settings>
                <functionKeys>
                    <fkey idx="1" context="active" label="Old" perm="R">blf 999</fkey>
                </functionKeys>
            </settings>
            """
        let body = ConfigRenderer.render(vendor: .snom, context: context, template: template).body
        #expect(body.contains("        <fkey idx=\"1\" context=\"active\" label=\"New\" perm=\"RW\">speed 300</fkey>\n"))
        #expect(!body.contains("999"))
        #expect(body.components(separatedBy: "<functionKeys").count == 2)
    }

    @Test func fanvilMemoryKeys() throws {
        let body = try Self.render(.fanvil)
        let module = try #require(body.range(of: "<DSS CONFIG MODULE>\n"))
        let after = body[module.upperBound...]
        #expect(
            after.hasPrefix(
                """
                Fkey2 Type         :1
                Fkey2 Value        :201@1/b
                Fkey2 Title        :Reception <desk> & "co"
                Fkey3 Type         :1
                Fkey3 Value        :*97@1/f
                Fkey3 Title        :Voicemail
                """))
        #expect(body.hasSuffix("<<END OF FILE>>\n") || !body.contains("<<END OF FILE>>"))
    }

    @Test func grandstreamMultiPurposeKeys() throws {
        let body = try Self.render(.grandstream)
        for element in [
            "<P323>1</P323>", "<P301>0</P301>", "<P302>Reception &lt;desk&gt; &amp; &quot;co&quot;</P302>", "<P303>201</P303>",
            "<P324>0</P324>", "<P304>0</P304>", "<P305>Voicemail</P305>", "<P306>*97</P306>",
        ] {
            #expect(body.contains(element), "missing \(element)")
        }
        let eight = (1...8).map { FunctionKey(kind: .blf, value: "3\($0)") }
        let many = try Self.render(.grandstream, keys: eight)
        #expect(many.contains("<P329>1</P329>") && many.contains("<P321>37</P321>"))
        #expect(many.contains("<P23035>1</P23035>") && many.contains("<P23038>38</P23038>"))
    }

    @Test func htekLineKeys() throws {
        let body = try Self.render(.htek)
        for element in [
            "<P41201 para=\"LineKey2_Type\">3</P41201>", "<P41301 para=\"LineKey2_Value\">201</P41301>",
            "<P41401 para=\"LineKey2_Label\">Reception &lt;desk&gt; &amp; &quot;co&quot;</P41401>",
            "<P41501 para=\"LineKey2_Account\">255</P41501>", "<P20601 para=\"LineKey2_Mode\">0</P20601>",
            "<P41202 para=\"LineKey3_Type\">2</P41202>", "<P41302 para=\"LineKey3_Value\">*97</P41302>",
        ] {
            #expect(body.contains(element), "missing \(element)")
        }
        let six = (1...5).map { FunctionKey(kind: .blf, value: "4\($0)") }
        // Key 6 is in the second series: 20200 + 5 * (6 - 5).
        #expect(try Self.render(.htek, keys: six).contains("<P20206 para=\"LineKey6_Value\">45</P20206>"))
    }

    @Test func storeKeepsOrderRemovesAndValidates() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mac = try MACAddress(parsing: "001565aabbcc")
        try store.addDevice(mac: mac, vendor: nil, model: nil, templateName: nil, extensionNumber: nil, actor: "test")
        try store.addFunctionKey(mac: mac, FunctionKey(kind: .blf, value: "201", label: "A"), actor: "test")
        try store.addFunctionKey(mac: mac, FunctionKey(kind: .speed, value: "202"), actor: "test")
        try store.addFunctionKey(mac: mac, FunctionKey(kind: .blf, value: "203"), actor: "test")
        #expect(try store.functionKeys(mac: mac).map(\.value) == ["201", "202", "203"])
        try store.removeFunctionKey(mac: mac, position: 2, actor: "test")
        #expect(try store.functionKeys(mac: mac).map(\.value) == ["201", "203"])
        #expect(try store.device(mac: mac)?.keys.map(\.value) == ["201", "203"])

        #expect(throws: StoreError.self) { try store.removeFunctionKey(mac: mac, position: 5, actor: "test") }
        #expect(throws: StoreError.self) { try store.addFunctionKey(mac: mac, FunctionKey(kind: .blf, value: "20 1"), actor: "test") }
        #expect(throws: StoreError.self) { try store.addFunctionKey(mac: mac, FunctionKey(kind: .blf, value: "201", label: "a\nb"), actor: "test") }
        let other = try MACAddress(parsing: "001565000001")
        #expect(throws: StoreError.self) { try store.addFunctionKey(mac: other, FunctionKey(kind: .blf, value: "201"), actor: "test") }
        #expect(try store.functionKeys(mac: mac).map(\.value) == ["201", "203"], "a refused key changes nothing")

        // Removing the phone removes its keys.
        try store.removeDevice(mac: mac, actor: "test")
        try store.addDevice(mac: mac, vendor: nil, model: nil, templateName: nil, extensionNumber: nil, actor: "test")
        #expect(try store.functionKeys(mac: mac).isEmpty)
    }
}
