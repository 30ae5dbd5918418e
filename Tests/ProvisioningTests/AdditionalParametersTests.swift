import Foundation
import Testing

@testable import Provisioning

@Suite struct AdditionalParametersTests {
    @Test func valuesKeepBracketsEqualsSemicolonsAndSpaces() {
        let parameters = AdditionalParameters(
            """
            [yealink]
            features.text = a ] b = c ; d
              spaced.key   =   spaced value\t
            ; a comment
            # another
            [debug]
            verbose = 1
            """)
        #expect(parameters.problems.isEmpty)
        #expect(parameters.entries("yealink").map(\.key) == ["features.text", "spaced.key"])
        #expect(parameters.entries("yealink").map(\.value) == ["a ] b = c ; d", "spaced value"])
        #expect(parameters.verbose)
    }

    @Test func brokenLinesAreReportedWithTheirNumberAndSkipped() {
        let text = "[yealink]\ngood = 1\nno equals sign here\n[nonsense]\nx = 1\n"
        let parameters = AdditionalParameters(text)
        #expect(parameters.entries("yealink").map(\.key) == ["good"])
        #expect(parameters.problems.map(\.line) == [3, 4])
        #expect(throws: StoreError.invalidValue("additional parameters line 3: 'no equals sign here' has no '=' (expected key = value)")) {
            try AdditionalParameters(strict: text)
        }
    }

    @Test func grandstreamTakesPCodeMarkup() {
        let parameters = AdditionalParameters("[grandstream]\n<P3>caller_id</P3>\nP30 = pool.ntp.org\n")
        #expect(parameters.problems.isEmpty)
        #expect(parameters.entries("grandstream").map { "\($0.key)|\($0.value)|\($0.isMarkup)" } == ["P3|caller_id|true", "P30|pool.ntp.org|false"])
    }

    @Test func verboseIsOffUnlessAsked() {
        #expect(!AdditionalParameters("[debug]\nverbose = 0\n").verbose)
        #expect(!AdditionalParameters("").verbose)
    }

    static let merged = """
        [yealink]
        features.headset_prior = 0
        features.intercom.allow = 0
        local_time.time_zone = +3
        [snom]
        time_24_format = on
        language = Deutsch
        [snom-phone-settings]
        dialplan_active = on
        user_srtp[1] = on
        [fanvil]
        PNP Enable = 1
        [fanvil-sip]
        SIP1 Default DTMF = AUTO
        SIP1 Register Port = 5070
        [fanvil-autoupdate]
        Auto Update = 1
        [grandstream]
        <P3>caller_id</P3>
        P30 = pool.ntp.org
        [htek]
        P34 = overridden & escaped
        <P2>admin</P2>
        """

    @Test(arguments: [
        (Vendor.yealink, "yealink-params.cfg"), (.snom, "snom-params.htm"), (.fanvil, "fanvil-params.cfg"),
        (.grandstream, "grandstream-params.xml"), (.htek, "htek-params.xml"),
    ])
    func parametersOverrideInPlaceAndAppendInTheRightPlace(vendor: Vendor, golden: String) throws {
        let context = try Fixtures.context(
            mac: "001565aabbcc", lines: [Fixtures.account("1001", "Alice Example", password: "s3cr3t")], parameters: Self.merged)
        let body = ConfigRenderer.render(vendor: vendor, context: context, template: nil).body
        try Golden.check(body, golden)
        // Overridden keys appear once.
        for key in ["features.headset_prior", "time_24_format", "SIP1 Register Port", "<P3>", "<P34 "] {
            let count = body.split(separator: "\n").filter { $0.contains(key) }.count
            #expect(count <= 1, "\(key) appears \(count) times in \(vendor)")
        }
    }
}
