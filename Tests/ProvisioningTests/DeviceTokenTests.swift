import Foundation
import Logging
import Testing

@testable import Provisioning

@Suite struct DeviceTokenTests {
    func build(_ store: ProvisioningStore) async throws -> ProvisioningSnapshot {
        try await SnapshotBuilder(store: store, credentials: LocalAccountCredentialSource(store: store)).build(logger: Logger(label: "test")).0
    }

    @Test func tokensAre128RandomBitsInURLSafeBase64() {
        let tokens = (0..<1000).map { _ in DeviceToken.random() }
        #expect(Set(tokens).count == 1000)
        #expect(tokens.allSatisfy { DeviceToken.isWellFormed($0) && $0.count == 22 })
        // RFC 4648 §10 test vector, cut to 16 bytes: the encoder is base64url without padding.
        #expect(DeviceToken.encode(Array("foobarfoobarfoob".utf8)) == "Zm9vYmFyZm9vYmFyZm9vYg")
        #expect(DeviceToken.encode([0xfb, 0xff] + Array(repeating: 0, count: 14)) == "-_8AAAAAAAAAAAAAAAAAAA")
        #expect(!DeviceToken.isWellFormed("Zm9vYmFyZm9vYmFyZm9vY"))
        #expect(!DeviceToken.isWellFormed("Zm9vYmFyZm9vYmFyZm9v/g"))
        #expect(!DeviceToken.isWellFormed("Zm9vYmFyZm9vYmFyZm9v.."))
    }

    @Test func aTokenOpensItsOwnPhonesFilesAndNoOtherPhones() async throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let own = try MACAddress(parsing: "001565aabbcc")
        let other = try MACAddress(parsing: "001565ddeeff")
        for mac in [own, other] {
            try store.addDevice(mac: mac, vendor: nil, model: nil, templateName: nil, extensionNumber: nil, actor: "t")
        }
        let token = try store.token(mac: own)
        #expect(token != (try store.token(mac: other)))
        let snapshot = try await build(store)
        func answer(_ path: String) -> ProvisioningAnswer { snapshot.answer(path: path[...], userAgent: nil, remoteIP: nil) }

        guard case .file(let file, let mac) = answer("/p/\(token)/001565aabbcc.cfg") else {
            Issue.record("the token does not open its phone's file")
            return
        }
        #expect(mac == own && String(decoding: file.body, as: UTF8.self).contains("account.1.user_name = guest"))
        guard case .forbidden(let reason) = answer("/p/\(token)/001565ddeeff.cfg") else {
            Issue.record("the token opens another phone's file")
            return
        }
        #expect(reason.contains("00:15:65:dd:ee:ff"))
        // Files without secrets come through the private URL too: a phone fetches them from the same base.
        guard case .file(_, nil) = answer("/p/\(token)/y000000000028.cfg") else {
            Issue.record("the Yealink common file is not served through the token path")
            return
        }
        guard case .forbidden = answer("/p/\(DeviceToken.random())/001565aabbcc.cfg") else {
            Issue.record("an unknown token is not refused")
            return
        }
        for bad in ["/p/\(token)", "/p/\(token)/", "/p/short/001565aabbcc.cfg", "/p/\(token)/p/\(token)/001565aabbcc.cfg"] {
            guard case .notFound = answer(bad) else {
                Issue.record("\(bad) is not refused as not found")
                return
            }
        }
    }

    @Test func aRotatedTokenStopsWorkingAtTheNextSnapshot() async throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mac = try MACAddress(parsing: "0c383e2cd782")
        try store.addDevice(mac: mac, vendor: nil, model: nil, templateName: nil, extensionNumber: nil, actor: "t")
        let old = try store.token(mac: mac)
        let revision = try store.revision()
        let new = try store.rotateToken(mac: mac)
        #expect(new != old && DeviceToken.isWellFormed(new))
        #expect(try store.revision() > revision, "a rotation must make the daemon rebuild")
        let snapshot = try await build(store)
        guard case .forbidden = snapshot.answer(path: "/p/\(old)/0c383e2cd782.cfg", userAgent: nil, remoteIP: nil) else {
            Issue.record("the old token still works")
            return
        }
        guard case .file = snapshot.answer(path: "/p/\(new)/0c383e2cd782.cfg", userAgent: nil, remoteIP: nil) else {
            Issue.record("the new token does not work")
            return
        }
        #expect(throws: StoreError.self) { try store.rotateToken(mac: MACAddress(parsing: "0c383e000000")) }
        #expect(try store.settings().provisioningURL(token: new).hasSuffix(":8480/p/\(new)/"))
    }
}
