import Testing

@testable import Provisioning

/// The five vendor formats, compared byte for byte with reviewed golden files.
/// The Yealink, Snom and Fanvil defaults are the product description's reference bodies.
@Suite struct VendorGeneratorTests {
    @Test func yealinkDefaultMatchesReference() throws {
        let context = try Fixtures.context(
            mac: "001565aabbcc", host: "172.16.156.223", lines: [Fixtures.account("204", "204", password: "1c9709222690713dd")])
        try Golden.check(ConfigRenderer.render(vendor: .yealink, context: context, template: nil).body, "yealink-default.cfg")
    }

    @Test func snomDefaultMatchesReference() throws {
        let context = try Fixtures.context(
            mac: "000413aabbcc", host: "172.16.32.225",
            lines: [Fixtures.account("203", "Irina Smirnova", password: "3256157a99f176eb959ef9c1fdd947f0")]
        )
        try Golden.check(ConfigRenderer.render(vendor: .snom, context: context, template: nil).body, "snom-default.htm")
    }

    @Test func fanvilDefaultMatchesReference() throws {
        let context = try Fixtures.context(
            mac: "0c383eaabbcc", host: "172.16.156.223",
            lines: [Fixtures.account("203", "Irina Smirnova", password: "3256157a99f176eb959ef9c1fdd947f0")]
        )
        try Golden.check(ConfigRenderer.render(vendor: .fanvil, context: context, template: nil).body, "fanvil-default.cfg")
    }

    @Test func grandstreamDefault() throws {
        let context = try Fixtures.context(mac: "c074ad112233", lines: [Fixtures.account("1001", "Alice Example", password: "s3cr3t")])
        try Golden.check(ConfigRenderer.render(vendor: .grandstream, context: context, template: nil).body, "grandstream-default.xml")
    }

    @Test func htekDefault() throws {
        let context = try Fixtures.context(mac: "001fc11c22a9", lines: [Fixtures.account("1001", "Alice Example", password: "s3cr3t")])
        try Golden.check(ConfigRenderer.render(vendor: .htek, context: context, template: nil).body, "htek-default.xml")
    }

    static let dectLines = [
        Fixtures.account("201", "Reception", password: "pw-201"),
        Fixtures.account("202", "Warehouse", password: "pw-202"),
        Fixtures.account("203", "Office", password: "pw-203", auth: "auth203"),
    ]

    @Test(arguments: [
        (Vendor.yealink, "yealink-multiline.cfg"), (.snom, "snom-multiline.htm"), (.fanvil, "fanvil-multiline.cfg"),
        (.grandstream, "grandstream-multiline.xml"), (.htek, "htek-multiline.xml"),
    ])
    func multipleLinesGetOneAccountBlockEach(vendor: Vendor, golden: String) throws {
        let context = try Fixtures.context(mac: "001565f4f9e1", lines: Self.dectLines, model: "W52P")
        let body = ConfigRenderer.render(vendor: vendor, context: context, template: nil).body
        try Golden.check(body, golden)
        for account in Self.dectLines {
            #expect(body.contains(account.password), "line of \(account.extensionNumber) missing")
        }
    }

    @Test func grandstreamAndHtekDropLinesBeyondSixWithAWarning() throws {
        let lines = (1...7).map { Fixtures.account("20\($0)", "L\($0)", password: "p\($0)") }
        let context = try Fixtures.context(mac: "c074ad112233", lines: lines)
        let rendered = ConfigRenderer.render(vendor: .grandstream, context: context, template: nil)
        #expect(rendered.body.contains("<P1806>p6</P1806>"))
        #expect(!rendered.body.contains("p7<"))
        #expect(rendered.warnings.count == 1)
    }

    @Test func hostilePasswordSurvivesEveryFormat() throws {
        let password = #"a<b&"c'"#
        let escaped = "a&lt;b&amp;&quot;c&apos;"
        let lines = [Fixtures.account("204", #"O'Brien & <Sons>"#, password: password)]
        for vendor in Vendor.allCases {
            let context = try Fixtures.context(mac: "001565aabbcc", lines: lines)
            for template in [nil, ExampleTemplates.all.first { $0.0 == vendor }!.1] {
                let body = ConfigRenderer.render(vendor: vendor, context: context, template: template).body
                switch vendor {
                case .yealink:
                    #expect(body.contains("account.1.password = \(password)\n"), "\(vendor) template: \(template != nil)")
                case .fanvil:
                    #expect(body.contains("SIP1 Register Pswd :\(password)\n"), "\(vendor) template: \(template != nil)")
                case .snom, .grandstream, .htek:
                    #expect(body.contains(">\(escaped)</"), "\(vendor) template: \(template != nil)")
                    #expect(!body.contains(password), "\(vendor) leaked an unescaped password")
                    #expect(!body.contains("O'Brien & <Sons>"), "\(vendor) leaked an unescaped name")
                }
            }
        }
    }

    @Test func lineBreaksInValuesCannotInjectKeys() throws {
        let lines = [Fixtures.account("204", "Evil\naccount.2.enable = 1", password: "x")]
        let context = try Fixtures.context(mac: "001565aabbcc", lines: lines)
        let body = ConfigRenderer.render(vendor: .yealink, context: context, template: nil).body
        #expect(!body.contains("\naccount.2.enable"))
    }
}
