import Foundation
import Testing

@testable import Provisioning

/// A neighbour table with fixed entries.
struct FixedNeighbours: NeighbourLookup {
    var entries: [String: MACAddress]
    func mac(for ip: String) -> MACAddress? { entries[ip] }
}

@Suite struct FetchGuardTests {
    let phone = try! MACAddress(parsing: "001565aabbcc")
    let other = try! MACAddress(parsing: "001565ddeeff")
    var file: ProvisioningAnswer { .file(ServedFile(body: "account.1.password = x\n", contentType: "text/plain"), mac: phone) }

    func verdict(
        _ path: String = "/001565aabbcc.cfg", _ answer: ProvisioningAnswer? = nil, from ip: String?, _ change: (inout PnPSettings) -> Void = { _ in }
    )
        -> FetchGuard.Outcome
    {
        var settings = PnPSettings.defaults
        change(&settings)
        let neighbours = FixedNeighbours(entries: ["192.0.2.10": phone, "192.0.2.11": other, "fe80::10": phone])
        return FetchGuard.evaluate(
            path: path[...], answer: answer ?? file, requester: Requester(address: ip, neighbours: neighbours), settings: settings)
    }

    func served(_ outcome: FetchGuard.Outcome) -> Bool {
        if case .file = outcome.answer { return !outcome.isFailure }
        return false
    }

    @Test func lanServesThePhoneItselfThisHostAndTrustedNetworksOnly() throws {
        #expect(PnPSettings.defaults.fetchGuard == .lan)
        #expect(served(verdict(from: "192.0.2.10")), "the phone's own neighbour entry")
        #expect(served(verdict(from: "::ffff:127.0.0.1")) && served(verdict(from: "127.0.0.1")) && served(verdict(from: "::1")))
        #expect(served(verdict(from: "fe80::10")), "IPv6 neighbours count too")
        let stranger = verdict(from: "192.0.2.11")
        guard case .forbidden(let reason) = stranger.answer else {
            Issue.record("another phone on the LAN got the file")
            return
        }
        #expect(stranger.isFailure && reason.contains("00:15:65:dd:ee:ff") && reason.contains("00:15:65:aa:bb:cc"))
        #expect(!served(verdict(from: "198.51.100.7")), "an address with no neighbour entry, behind a router")
        let trusted = try IPNetwork.list("198.51.100.0/24, 2001:db8::/32")
        #expect(served(verdict(from: "198.51.100.7") { $0.trustedNetworks = trusted }))
        #expect(served(verdict(from: "2001:db8::5") { $0.trustedNetworks = trusted }))
        #expect(!served(verdict(from: "198.51.101.7") { $0.trustedNetworks = trusted }))
        #expect(!served(verdict(from: nil)))
    }

    @Test func strictServesOnlyPrivateURLsAndThisHostAndOffServesAll() {
        #expect(!served(verdict(from: "192.0.2.10") { $0.fetchGuard = .strict }))
        #expect(served(verdict(from: "127.0.0.1") { $0.fetchGuard = .strict }))
        #expect(served(verdict("/p/AAAAAAAAAAAAAAAAAAAAAA/001565aabbcc.cfg", from: "203.0.113.9") { $0.fetchGuard = .strict }))
        #expect(served(verdict(from: "203.0.113.9") { $0.fetchGuard = .off }))
    }

    @Test(arguments: FetchGuardMode.allCases)
    func aVerifiedDeviceCertificateOpensItsOwnFileOnlyInEveryMode(mode: FetchGuardMode) {
        func proven(_ mac: MACAddress, from ip: String, path: String = "/001565aabbcc.cfg") -> FetchGuard.Outcome {
            var settings = PnPSettings.defaults
            settings.fetchGuard = mode
            var requester = Requester(address: ip, neighbours: FixedNeighbours(entries: [:]))
            requester.verifiedDeviceMAC = mac
            return FetchGuard.evaluate(path: path[...], answer: file, requester: requester, settings: settings)
        }
        // From an address no rule knows: the certificate alone decides.
        #expect(served(proven(phone, from: "203.0.113.9")))
        let another = proven(other, from: "203.0.113.9")
        guard case .forbidden(let reason) = another.answer else {
            Issue.record("a device certificate of another phone opened the file under \(mode)")
            return
        }
        #expect(another.isFailure && reason.contains("device certificate names 00:15:65:dd:ee:ff"))
        // Not even this host's address lends another phone's certificate a file.
        #expect(!served(proven(other, from: "127.0.0.1")))
    }

    @Test func filesWithoutSecretsStayOpenAndGuessesCount() {
        let common = ProvisioningAnswer.file(ServedFile(body: "#!version:1.0.0.1\n", contentType: "text/plain"), mac: nil)
        #expect(served(verdict("/y000000000028.cfg", common, from: "203.0.113.9")))
        #expect(verdict("/001565000001.cfg", .notFound("unknown MAC"), from: "203.0.113.9").isFailure, "a 404 for a MAC-named file")
        #expect(!verdict("/favicon.ico", .notFound("no"), from: "203.0.113.9").isFailure, "a 404 for anything else")
        #expect(verdict("/p/AAAAAAAAAAAAAAAAAAAAAA/x.cfg", .forbidden("unknown device token"), from: "203.0.113.9").isFailure)
        #expect(verdict("/p/short/x.cfg", .notFound("malformed"), from: "203.0.113.9").isFailure)
        #expect(!verdict("/001565aabbcc.cfg", .forbidden("MAC is on the blacklist"), from: "192.0.2.10").isFailure)
    }

    @Test func networksParseAndMatch() throws {
        let net = try IPNetwork(parsing: "192.0.2.77/24")
        #expect(net.description == "192.0.2.0/24" && net.contains("192.0.2.1") && net.contains("::ffff:192.0.2.200") && !net.contains("192.0.3.1"))
        #expect(try IPNetwork(parsing: "2001:db8::1/32").description == "2001:db8::/32")
        #expect(try IPNetwork(parsing: "10.1.2.3").contains("10.1.2.3") && !(try IPNetwork(parsing: "10.1.2.3")).contains("10.1.2.4"))
        #expect(try IPNetwork(parsing: "0.0.0.0/0").contains("203.0.113.1"))
        #expect(IPNetwork.canonical("::ffff:192.0.2.1") == "192.0.2.1" && IPNetwork.canonical("2001:db8::1") == "2001:db8::1")
        for bad in ["", "10.0.0.0/33", "10.0.0/8", "host.example/24", "::/129", "10.0.0.0/-1", "10.0.0.0/x"] {
            #expect(throws: StoreError.self, "\(bad)") { try IPNetwork(parsing: bad) }
        }
    }

    @Test func theSettingsAreCheckedAndShown() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.set(.fetchGuard, to: "STRICT")
        try store.set(.trustedNetworks, to: "198.51.100.9/24 2001:db8::/32")
        try store.set(.banThreshold, to: "3")
        let settings = try store.settings()
        #expect(settings.fetchGuard == .strict && settings.banThreshold == 3)
        #expect(settings.value(of: .trustedNetworks) == "198.51.100.0/24,2001:db8::/32")
        #expect(throws: StoreError.self) { try store.set(.fetchGuard, to: "maybe") }
        #expect(throws: StoreError.self) { try store.set(.trustedNetworks, to: "198.51.100.0/24,nonsense") }
        #expect(throws: StoreError.self) { try store.set(.banTime, to: "0") }
        #expect(try store.settings().value(of: .trustedNetworks) == "198.51.100.0/24,2001:db8::/32", "a refused value changes nothing")
    }
}

@Suite struct BanListTests {
    var settings: PnPSettings {
        var settings = PnPSettings.defaults
        settings.banThreshold = 3
        settings.banWindow = 60
        settings.banTime = 100
        return settings
    }

    @Test func aBanComesAtTheThresholdWithinTheWindowAndEnds() {
        let bans = BanList()
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(bans.recordFailure("192.0.2.9", settings: settings, now: start) == nil)
        // The first failure leaves the window before the third arrives.
        #expect(bans.recordFailure("192.0.2.9", settings: settings, now: start.addingTimeInterval(50)) == nil)
        #expect(bans.recordFailure("192.0.2.9", settings: settings, now: start.addingTimeInterval(61)) == nil)
        let ban = bans.recordFailure("192.0.2.9", settings: settings, now: start.addingTimeInterval(62))
        #expect(ban?.failures == 3 && ban?.seconds == 100)
        #expect(bans.isBanned("192.0.2.9", now: start.addingTimeInterval(63)))
        #expect(!bans.isBanned("192.0.2.8", now: start.addingTimeInterval(63)), "other addresses are not affected")
        #expect(bans.recordFailure("192.0.2.9", settings: settings, now: start.addingTimeInterval(64)) == nil, "one notice per ban")
        #expect(!bans.isBanned("192.0.2.9", now: start.addingTimeInterval(163)))
    }

    @Test func loopbackIsNeverBannedAndTheTableIsBounded() {
        let bans = BanList(capacity: 64)
        for _ in 0..<10 { #expect(bans.recordFailure("127.0.0.1", settings: settings) == nil) }
        #expect(!bans.isBanned("127.0.0.1") && !bans.isBanned("::1"))
        for index in 0..<1000 { _ = bans.recordFailure("10.0.\(index / 250).\(index % 250)", settings: settings) }
        #expect(bans.count <= 64)
    }

    @Test func aClearedBanIsLiftedAndAStoredOneAdopted() {
        let bans = BanList()
        let now = Date()
        for _ in 0..<3 { _ = bans.recordFailure("192.0.2.9", settings: settings, now: now.addingTimeInterval(-10)) }
        #expect(bans.isBanned("192.0.2.9", now: now))
        // A ban begun after the last write is kept, even though the store does not list it yet.
        bans.reconcile(stored: [:], syncedUpTo: now.addingTimeInterval(-20), now: now)
        #expect(bans.isBanned("192.0.2.9", now: now))
        bans.reconcile(stored: ["198.51.100.1": now.addingTimeInterval(50)], syncedUpTo: now, now: now)
        #expect(!bans.isBanned("192.0.2.9", now: now), "cleared in the store")
        #expect(bans.isBanned("198.51.100.1", now: now), "made before a restart")
    }

    /// `isBanned` skips its lock while no entry holds a ban, so the count behind that must follow every change.
    @Test func everyWayABanStartsOrEndsIsSeen() {
        let bans = BanList(capacity: 16)
        let now = Date()
        let ban = { (address: String, at: Date) in for _ in 0..<3 { _ = bans.recordFailure(address, settings: settings, now: at) } }
        ban("192.0.2.1", now.addingTimeInterval(-200))
        ban("192.0.2.2", now)
        #expect(!bans.isBanned("192.0.2.1", now: now), "ended: the check clears it")
        #expect(bans.isBanned("192.0.2.2", now: now), "another ban is still seen")
        bans.lift("192.0.2.2")
        #expect(!bans.isBanned("192.0.2.2", now: now))
        ban("192.0.2.3", now)
        #expect(bans.isBanned("192.0.2.3", now: now), "a ban after the count went back to zero")
        // Crowding the table out evicts the banned entry, and a later ban is seen again.
        for index in 0..<64 { _ = bans.recordFailure("10.0.0.\(index)", settings: settings, now: now.addingTimeInterval(1)) }
        #expect(!bans.isBanned("192.0.2.3", now: now.addingTimeInterval(2)))
        ban("192.0.2.4", now.addingTimeInterval(3))
        #expect(bans.isBanned("192.0.2.4", now: now.addingTimeInterval(4)))
        bans.reconcile(stored: ["198.51.100.1": now.addingTimeInterval(50)], syncedUpTo: now.addingTimeInterval(10), now: now.addingTimeInterval(5))
        #expect(!bans.isBanned("192.0.2.4", now: now.addingTimeInterval(5)), "cleared in the store")
        #expect(bans.isBanned("198.51.100.1", now: now.addingTimeInterval(5)), "adopted from the store")
    }

    @Test func bansAreKeptInTheStoreAndClearedThere() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let now = Date()
        try store.recordBans([BanList.Ban(address: "192.0.2.9", until: now.addingTimeInterval(100), failures: 10, seconds: 100)], now: now)
        #expect(try store.bans(now: now).map(\.address) == ["192.0.2.9"])
        #expect(try store.auditLog(limit: 1).first?.detail == "banned 192.0.2.9 for 100 s after 10 failed lookups")
        try store.clearBan("192.0.2.9", actor: "cli")
        #expect(try store.bans(now: now).isEmpty)
        #expect(throws: StoreError.self) { try store.clearBan("192.0.2.9", actor: "cli") }
    }
}
