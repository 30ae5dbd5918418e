import Foundation
import Testing

@testable import Provisioning

@Suite struct TemplateRenderingTests {
    @Test func placeholdersAreReplacedAndUnknownOnesKept() throws {
        let context = try Fixtures.context(mac: "001565aabbcc", lines: [Fixtures.account("204", "Bob", password: "pw", auth: "u204")])
        let template =
            "#!version:1.0.0.1\nnum={SIP_NUM} user={SIP_USER_NAME} pass={SIP_PASS} host={PBX_HOST} fw={FIRMWARE_URL} x={NOT_A_THING} {lower} {\n"
        let rendered = ConfigRenderer.render(vendor: .yealink, context: context, template: template)
        #expect(rendered.body == "#!version:1.0.0.1\nnum=204 user=u204 pass=pw host=192.168.1.10 fw= x={NOT_A_THING} {lower} {\n")
        #expect(rendered.unknownPlaceholders == ["NOT_A_THING"])
    }

    @Test func emptyTemplateMeansTheBuiltInBody() throws {
        let context = try Fixtures.context(mac: "001565aabbcc", lines: [Fixtures.account("204", "Bob", password: "pw")])
        #expect(
            ConfigRenderer.render(vendor: .yealink, context: context, template: " \n").body
                == ConfigRenderer.render(vendor: .yealink, context: context, template: nil).body)
    }

    @Test func templateGetsFurtherLinesMergedIn() throws {
        let context = try Fixtures.context(
            mac: "001565aabbcc", lines: [Fixtures.account("201", "One", password: "p1"), Fixtures.account("202", "Two", password: "p2")])
        let template = "#!version:1.0.0.1\naccount.1.user_name = {SIP_NUM}\naccount.1.password = {SIP_PASS}\n"
        let body = ConfigRenderer.render(vendor: .yealink, context: context, template: template).body
        #expect(body.hasPrefix("#!version:1.0.0.1\naccount.1.user_name = 201\naccount.1.password = p1\naccount.2.enable = 1\n"))
        #expect(body.contains("account.2.password = p2\n"))
    }

    @Test func snomTemplateGetsSecondLineInsidePhoneSettings() throws {
        let context = try Fixtures.context(
            mac: "000413aabbcc", lines: [Fixtures.account("201", "One", password: "p1"), Fixtures.account("202", "Two", password: "p2")])
        let body = ConfigRenderer.render(vendor: .snom, context: context, template: ExampleTemplates.snom).body
        let phoneSettingsEnd = try #require(body.range(of: "</phone-settings>"))
        let line2 = try #require(body.range(of: #"<user_pass idx="2" perm="RW">p2</user_pass>"#))
        #expect(line2.upperBound < phoneSettingsEnd.lowerBound)
        #expect(body.contains(#"<user_pass idx="1" perm="RW">p1</user_pass>"#))
    }

    @Test(arguments: Vendor.allCases)
    func everyExampleTemplateRendersWithoutUnknownPlaceholders(vendor: Vendor) throws {
        let context = try Fixtures.context(mac: "001565aabbcc", lines: [Fixtures.account("204", "Bob", password: "secret-204")])
        let template = try #require(ExampleTemplates.all.first { $0.0 == vendor }?.1)
        let rendered = ConfigRenderer.render(vendor: vendor, context: context, template: template)
        #expect(rendered.unknownPlaceholders.isEmpty)
        #expect(!rendered.body.contains("{"))
        #expect(rendered.body.contains("secret-204"))
    }

    @Test func sharedTemplateRefusesAccountPlaceholders() {
        let settings = Fixtures.settings(host: "pbx.example")
        #expect(ConfigRenderer.renderShared(vendor: .yealink, settings: settings, template: "a={SIP_PASS}\n", parameters: .init("")) == nil)
        #expect(
            ConfigRenderer.renderShared(
                vendor: .yealink, settings: settings, template: "#!version:1.0.0.1\nserver={PBX_HOST}\n", parameters: .init(""))?.body
                == "#!version:1.0.0.1\nserver=pbx.example\n")
    }
}
