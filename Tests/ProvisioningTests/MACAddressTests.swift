import Testing

@testable import Provisioning

@Suite struct MACAddressTests {
    @Test(arguments: ["00:15:65:AA:BB:CC", "00-15-65-aa-bb-cc", "001565aabbcc", "0015.65aa.bbcc", "001565AABBCC"])
    func acceptsEveryUsualSpelling(_ text: String) throws {
        #expect(try MACAddress(parsing: text).compact == "001565aabbcc")
    }

    @Test(arguments: ["", "zz", "001565aabbc", "001565aabbccd", "00:15:65:aa:bb:cg", "001565aabbcc\n", "0015/65aabbcc", "💥"])
    func refusesAnythingElseNamingTheInput(_ text: String) {
        #expect(throws: MACAddressError(input: text)) { try MACAddress(parsing: text) }
        #expect(MACAddressError(input: text).description.contains("is not a MAC address"))
    }

    @Test func formats() throws {
        let mac = try MACAddress(parsing: "001565aabbcc")
        #expect(mac.colonSeparated == "00:15:65:aa:bb:cc")
        #expect(mac.uppercase == "001565AABBCC")
        #expect(OUITable.vendor(for: mac) == .yealink)
    }

    @Test func userAgentsNameTheirVendor() {
        #expect(Vendor(userAgent: "Yealink SIP-T46G 28.72.0.1 00:15:65:4a:a9:37") == .yealink)
        #expect(Vendor(userAgent: "Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 2010.12-00004-g9ba52f5 000413922D24 SXM:0 UXM:0)") == .snom)
        #expect(Vendor(userAgent: "Fanvil X4 2.10.2.6887 0c383e07e16c") == .fanvil)
        #expect(Vendor(userAgent: "Grandstream Model HW GRP2614 SW 1.0.5.15 DevId c074ad0b63ee") == .grandstream)
        #expect(Vendor(userAgent: "Htek UC903 2.0.4.2 00:1f:c1:1c:22:a9") == .htek)
        #expect(Vendor(userAgent: "curl/7.88.1") == nil)
        #expect(ProvisioningSnapshot.macInUserAgent("Htek UC903 2.0.4.2 00:1f:c1:1c:22:a9")?.compact == "001fc11c22a9")
        #expect(ProvisioningSnapshot.macInUserAgent("Grandstream Model HW GRP2614 SW 1.0.5.15 DevId c074ad0b63ee")?.compact == "c074ad0b63ee")
    }
}

@Suite struct ConfigRequestTests {
    @Test func classifiesVendorFileNames() throws {
        let mac = try MACAddress(parsing: "001565aabbcc")
        #expect(ConfigRequest(fileName: "001565aabbcc.cfg") == .macConfig(mac))
        #expect(ConfigRequest(fileName: "001565AABBCC.cfg") == .macConfig(mac))
        #expect(ConfigRequest(fileName: "001565aabbcc.boot") == .yealinkBoot)
        #expect(ConfigRequest(fileName: "y000000000000.boot") == .yealinkBoot)
        #expect(ConfigRequest(fileName: "y000000000028.cfg") == .yealinkCommon("y000000000028"))
        #expect(ConfigRequest(fileName: "snomD785-001565AABBCC.htm") == .snomDevice(model: "d785", mac))
        #expect(ConfigRequest(fileName: "snomD785.htm") == .snomGeneral(model: "d785"))
        #expect(ConfigRequest(fileName: "cfg001565aabbcc.xml") == .xmlConfig(mac))
        #expect(ConfigRequest(fileName: "cfg001565aabbcc") == .binaryConfig(mac))
        #expect(ConfigRequest(fileName: "cfg001565aabbcc.bin") == .binaryConfig(mac))
        for bad in ["", ".cfg", "001565aabbc.cfg", "snom-.htm", "snom<x>.htm", "cfgzz.xml", "passwd", "001565aabbcc.cfg.bak", "y00000000002.cfg"] {
            #expect(ConfigRequest(fileName: bad[...]) == nil, "\(bad)")
        }
    }

    @Test(arguments: Vendor.allCases)
    func fileNameRoundTrips(vendor: Vendor) throws {
        let mac = try MACAddress(parsing: "001565aabbcc")
        let name = ConfigRequest.fileName(vendor: vendor, mac: mac, model: "snomD735")
        let request = try #require(ConfigRequest(fileName: name[...]))
        #expect(request.mac == mac)
        #expect(request.vendors.contains(vendor))
    }
}
