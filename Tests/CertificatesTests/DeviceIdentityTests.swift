import Certificates
import Provisioning
import Testing

struct DeviceIdentityTests {
    @Test func holdsTheMACItWasGiven() throws {
        let mac = try MACAddress(parsing: "00:15:65:aa:bb:cc")
        #expect(DeviceIdentity(mac: mac, subject: "CN=001565aabbcc").mac == mac)
    }
}
