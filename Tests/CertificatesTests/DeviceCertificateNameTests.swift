import Certificates
import Foundation
import Provisioning
import SwiftASN1
import Testing
import X509

/// Where vendors put the MAC, and what only looks like one.
struct DeviceCertificateNameTests {
    static let issuer = try! TestPKI.root("Device CA")

    static func mac(commonName: String?, names: [GeneralName] = [], serialNumber: String? = nil) throws -> String? {
        var attributes: [RelativeDistinguishedName.Attribute] = []
        if let serialNumber { attributes.append(try .init(type: [2, 5, 4, 5], printableString: serialNumber)) }
        if let commonName { attributes.append(.init(type: .RDNAttributeType.commonName, utf8String: commonName)) }
        let certificate = try issuer.issue(subject: DistinguishedName(attributes.map { RelativeDistinguishedName($0) }), names: names)
        return DeviceCertificateName.mac(in: certificate.certificate)?.compact
    }

    @Test(
        arguments: [
            // The CN is the MAC, in any spelling.
            ("001565AABBCC", "001565aabbcc"),
            ("001565aabbcc", "001565aabbcc"),
            ("00:15:65:aa:bb:cc", "001565aabbcc"),
            ("00:15:65:AA:BB:CC", "001565aabbcc"),
            ("00-15-65-AA-BB-CC", "001565aabbcc"),
            ("0015.65aa.bbcc", "001565aabbcc"),
            // The model, then the MAC.
            ("SIP-T46S-001565AABBCC", "001565aabbcc"),
            ("SIP-T46S_001565AABBCC", "001565aabbcc"),
            ("SIP-T46S-00:15:65:aa:bb:cc", "001565aabbcc"),
            ("SIP-T46S-00-15-65-AA-BB-CC", "001565aabbcc"),
            ("snomD785_0015.65aa.bbcc", "001565aabbcc"),
            ("T46S 00:04:13:aa:bb:cc", "000413aabbcc"),
            // Not a MAC.
            ("Yealink Phone", nil),
            ("SIP-T46S-001565AABBC", nil),
            ("SIP-T46S-001565AABBCCDD", nil),
            ("SIP-T46S-00:15:65:aa:bb", nil),
            ("SIP-T46S001565AABBCC", nil),
            ("SIP-T46S-00:15-65:aa-bb:cc", nil),
            ("", nil),
        ] as [(String, String?)])
    func commonName(_ commonName: String, expected: String?) throws {
        #expect(try Self.mac(commonName: commonName) == expected)
    }

    @Test(
        arguments: [
            (GeneralName.uniformResourceIdentifier("urn:mac:001565aabbcc"), "001565aabbcc"),
            (.uniformResourceIdentifier("https://vendor.example/devices/00-15-65-AA-BB-CC/cert"), "001565aabbcc"),
            (.dnsName("001565aabbcc.phones.vendor.example"), "001565aabbcc"),
            (.dnsName("sip-t46s-001565aabbcc.example"), "001565aabbcc"),
            (.rfc822Name("001565AABBCC@devices.vendor.example"), "001565aabbcc"),
            (.dnsName("phone.example"), nil),
            (.dnsName("a001565aabbcc.example"), nil),
            (.uniformResourceIdentifier("urn:uuid:00156500-aabb-ccdd-eeff-001122334455"), nil),
        ] as [(GeneralName, String?)])
    func subjectAlternativeName(_ name: GeneralName, expected: String?) throws {
        #expect(try Self.mac(commonName: "Phone", names: [name]) == expected)
    }

    @Test func otherNameHoldingAMAC() throws {
        let value = try ASN1Any(erasing: ASN1UTF8String("MAC=00:15:65:AA:BB:CC"))
        let name = GeneralName.otherName(.init(typeID: [1, 3, 6, 1, 4, 1, 99_999, 1], value: value))
        #expect(try Self.mac(commonName: "Phone", names: [name]) == "001565aabbcc")
    }

    @Test func subjectSerialNumber() throws {
        #expect(try Self.mac(commonName: "Phone", serialNumber: "001565AABBCC") == "001565aabbcc")
        #expect(try Self.mac(commonName: nil, serialNumber: "SN 00-15-65-AA-BB-CC") == "001565aabbcc")
        #expect(try Self.mac(commonName: nil, serialNumber: "12345") == nil)
    }

    @Test func theCommonNameComesFirst() throws {
        let names: [GeneralName] = [.uniformResourceIdentifier("urn:mac:0004f2000001")]
        #expect(try Self.mac(commonName: "001565AABBCC", names: names, serialNumber: "0004f2000002") == "001565aabbcc")
        #expect(try Self.mac(commonName: "SIP-T46S-001565AABBCC", names: names) == "001565aabbcc")
        #expect(try Self.mac(commonName: "Phone", names: names, serialNumber: "0004f2000002") == "0004f2000001")
    }
}
