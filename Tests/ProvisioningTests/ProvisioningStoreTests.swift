import Foundation
import GRDB
import Testing

@testable import Provisioning

@Suite struct ProvisioningStoreTests {
    @Test func firstStartMakesAGuestSecretAndKeepsItAcrossOpens() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let settings = try store.settings()
        #expect(settings.guestSecret.count == 24)
        #expect(settings.pbxHost == "192.168.1.10")
        #expect(settings.httpPort == 8480)
        let reopened = try ProvisioningStore(path: store.path, defaultHost: "10.9.9.9")
        #expect(try reopened.settings().guestSecret == settings.guestSecret)
        #expect(try reopened.settings().pbxHost == "192.168.1.10")
    }

    @Test func fileIsWALWithForeignKeys() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let queue = try DatabaseQueue(path: store.path)
        #expect(try queue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try queue.read { try Int.fetchOne($0, sql: "PRAGMA foreign_keys") } == 1)
        #expect(try queue.read { try Bool.fetchOne($0, sql: "SELECT count(*) > 0 FROM grdb_migrations WHERE identifier = 'v1'") } == true)
    }

    @Test func settingsAreValidatedAndRefusalsWriteNothing() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.set(.httpPort, to: " 8090 ")
        try store.set(.macWhitelist, to: "00:15:65:AA:BB:CC, 000413-aa-bb-cc")
        try store.set(.tftp, to: "on")
        #expect(throws: StoreError.self) { try store.set(.httpPort, to: "70000") }
        #expect(throws: StoreError.self) { try store.set(.macBlacklist, to: "001565aabbcc, nonsense") }
        #expect(throws: StoreError.self) { try store.set(.additionalParams, to: "[yealink]\nbroken\n") }
        #expect(throws: StoreError.self) { try store.set(.pbxHost, to: "two words") }
        let settings = try store.settings()
        #expect(settings.httpPort == 8090)
        #expect(settings.macWhitelist.map(\.compact) == ["001565aabbcc", "000413aabbcc"])
        #expect(settings.macBlacklist.isEmpty)
        #expect(settings.additionalParameters.isEmpty)
        #expect(settings.tftpEnabled)
    }

    @Test func devicesBindingsAndAudit() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mac = try MACAddress(parsing: "00-15-65-F4-F9-E1")
        try store.addDevice(mac: mac, vendor: .yealink, model: "W52P", templateName: nil, extensionNumber: "201", actor: "test")
        try store.bind(mac: mac, extensionNumber: "202", line: 2, actor: "test")
        try store.bind(mac: mac, extensionNumber: "203", line: 2, actor: "test")
        try store.unbind(mac: mac, line: 1, actor: "test")
        let device = try #require(try store.device(mac: mac))
        #expect(device.lines.map { "\($0.line):\($0.extensionNumber)" } == ["2:203"])
        let audit = try store.auditLog().reversed().map {
            "\($0.action) \($0.line.map(String.init) ?? "-") \($0.extensionNumber ?? "-") \($0.previousExtension ?? "-")"
        }
        #expect(audit == ["device-add - - -", "bind 1 201 -", "bind 2 202 -", "bind 2 203 202", "unbind 1 - 201"])

        #expect(throws: StoreError.conflict("device 00:15:65:f4:f9:e1 already exists; use 'device bind' to change its lines")) {
            try store.addDevice(mac: mac, vendor: nil, model: nil, templateName: nil, extensionNumber: nil, actor: "test")
        }
        #expect(throws: StoreError.self) { try store.bind(mac: mac, extensionNumber: "204", line: 17, actor: "test") }
        #expect(throws: StoreError.self) { try store.bind(mac: mac, extensionNumber: "bad ext", actor: "test") }
        try store.removeDevice(mac: mac, actor: "test")
        #expect(try store.devices().isEmpty)
        #expect(try store.auditLog().first?.action == "device-remove")
    }

    @Test func aRefusedDeviceAddWritesNothing() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.saveTemplate(name: "snom-t", vendor: .snom, body: "<settings/>")
        let mac = try MACAddress(parsing: "001565aabbcc")
        let revision = try store.revision()
        #expect(throws: StoreError.invalidValue("template 'snom-t' is for Snom, but the device is a Yealink")) {
            try store.addDevice(mac: mac, vendor: nil, model: nil, templateName: "snom-t", extensionNumber: "201", actor: "test")
        }
        #expect(throws: StoreError.notFound("no template named 'nope'")) {
            try store.addDevice(mac: mac, vendor: .yealink, model: nil, templateName: "nope", extensionNumber: "201", actor: "test")
        }
        #expect(try store.devices().isEmpty)
        #expect(try store.auditLog().isEmpty)
        #expect(try store.revision() == revision)
    }

    /// What `device set` and `PATCH /api/devices/{mac}` change: all of it in one transaction, or nothing.
    @Test func aDeviceChangeIsAllOrNothing() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        try store.saveTemplate(name: "office", vendor: .yealink, body: "#!version:1.0.0.1\n")
        try store.saveTemplate(name: "fanvil-office", vendor: .fanvil, body: "<<VOIP CONFIG FILE>>\n")
        let mac = try MACAddress(parsing: "001565aabbcc")
        // Found by plug-and-play: no vendor recorded, the MAC prefix says Yealink.
        try store.recordDiscovered(mac: mac, vendor: nil, model: "SIP-T46S", firmwareVersion: nil, ip: "192.0.2.5", port: 5060)
        try store.updateDevice(mac: mac, vendor: nil, model: nil, template: "OFFICE")
        #expect(try store.device(mac: mac)?.templateName == "office")
        var revision = try store.revision()
        // Refused, each writing nothing: an unknown MAC or template, a template or vendor that does not fit, a bad model.
        #expect(throws: StoreError.notFound("no device with MAC 00:15:65:00:00:00")) {
            try store.updateDevice(mac: MACAddress(parsing: "001565000000"), vendor: nil, model: nil, template: "office")
        }
        #expect(throws: StoreError.notFound("no template named 'nope'")) {
            try store.updateDevice(mac: mac, vendor: nil, model: "T46U", template: "nope")
        }
        #expect(throws: StoreError.invalidValue("template 'fanvil-office' is for Fanvil, but the device is a Yealink")) {
            try store.updateDevice(mac: mac, vendor: nil, model: "T46U", template: "fanvil-office")
        }
        #expect(throws: StoreError.conflict("device 00:15:65:aa:bb:cc uses the Yealink template 'office'; change the template first")) {
            try store.updateDevice(mac: mac, vendor: .fanvil, model: "X6U Pro")
        }
        #expect(throws: StoreError.self) { try store.updateDevice(mac: mac, vendor: nil, model: "T46U\n", template: .some(nil)) }
        let unchanged = try #require(try store.device(mac: mac))
        #expect(unchanged.device.vendor == nil && unchanged.device.model == "SIP-T46S" && unchanged.templateName == "office")
        #expect(try store.revision() == revision)
        // The same values again write nothing either.
        try store.updateDevice(mac: mac, vendor: nil, model: "SIP-T46S", template: "office")
        #expect(try store.revision() == revision)
        // Vendor and template together: the template is checked against the new vendor. Model names may have spaces.
        try store.updateDevice(mac: mac, vendor: .fanvil, model: "  X6U  Pro ", template: "fanvil-office")
        let changed = try #require(try store.device(mac: mac))
        #expect(changed.device.vendor == .fanvil && changed.device.model == "X6U Pro" && changed.templateName == "fanvil-office")
        #expect(changed.device.lastIP == "192.0.2.5", "what the phone reported is kept")
        #expect(try store.revision() > revision)
        revision = try store.revision()
        // No template: the vendor default applies; an empty model clears it.
        try store.updateDevice(mac: mac, vendor: nil, model: "", template: .some(nil))
        let cleared = try #require(try store.device(mac: mac))
        #expect(cleared.templateName == nil && cleared.device.model == nil)
        #expect(try store.revision() > revision)
        // `device add` takes the same model names.
        try store.addDevice(
            mac: MACAddress(parsing: "0c383e000001"), vendor: nil, model: " X6U Pro ", templateName: nil, extensionNumber: nil, actor: "t")
        #expect(try store.device(mac: MACAddress(parsing: "0c383e000001"))?.device.model == "X6U Pro")
        #expect(throws: StoreError.self) {
            try store.addDevice(
                mac: MACAddress(parsing: "0c383e000002"), vendor: nil, model: "X6U\tPro", templateName: nil, extensionNumber: nil, actor: "t")
        }
    }

    @Test func revisionMovesOnChangesButNotOnFetchBookkeeping() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mac = try MACAddress(parsing: "001565aabbcc")
        let start = try store.revision()
        try store.addDevice(mac: mac, vendor: .yealink, model: nil, templateName: nil, extensionNumber: nil, actor: "test")
        let afterAdd = try store.revision()
        #expect(afterAdd > start)
        try store.recordFetches([FetchEvent(mac: mac, at: Date(), ip: "192.0.2.7", port: 5060)])
        #expect(try store.revision() == afterAdd)
        #expect(try store.device(mac: mac)?.device.lastIP == "192.0.2.7")
        try store.saveAccount(AccountRecord(extensionNumber: "201", authUsername: "201", password: "x", displayName: "A"))
        #expect(try store.revision() > afterAdd)
    }

    @Test func accountsAreValidated() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: StoreError.self) {
            try store.saveAccount(AccountRecord(extensionNumber: "201", authUsername: "201", password: "", displayName: ""))
        }
        #expect(throws: StoreError.self) {
            try store.saveAccount(AccountRecord(extensionNumber: "201", authUsername: "201", password: "a\nb", displayName: ""))
        }
        #expect(throws: StoreError.self) {
            try store.saveAccount(AccountRecord(extensionNumber: "", authUsername: "x", password: "p", displayName: ""))
        }
        #expect(throws: StoreError.notFound("no account for extension '999'")) { try store.removeAccount("999") }
        #expect(try store.accounts().isEmpty)
    }

    @Test func templatesHaveLimitsAndOneDefaultPerVendor() throws {
        let (store, directory) = try Fixtures.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try store.loadExampleTemplates().count == 5)
        #expect(try store.loadExampleTemplates().isEmpty)
        #expect(throws: StoreError.self) {
            try store.saveTemplate(name: "big", vendor: .yealink, body: String(repeating: "x", count: 256 * 1024 + 1))
        }
        let unknown = try store.saveTemplate(name: "a", vendor: .yealink, body: "{SIP_NUM} {WHAT}", isVendorDefault: true)
        #expect(unknown == ["WHAT"])
        try store.saveTemplate(name: "b", vendor: .yealink, body: "x", isVendorDefault: true)
        #expect(try store.templates().filter(\.isVendorDefault).map(\.name) == ["b"])
        try store.mapURI("/Y000000000028.cfg", toTemplate: "a")
        #expect(try store.uriMappings().map(\.path) == ["y000000000028.cfg"])
        #expect(throws: StoreError.self) { try store.mapURI("../etc/passwd", toTemplate: "a") }
        try store.removeTemplate(named: "A")
        #expect(try store.uriMappings().isEmpty)
    }
}
