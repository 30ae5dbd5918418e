import Foundation
import GRDB

extension PnPSettings {
    /// One admin-editable setting as the admin writes it (`on`/`off`, MACs with colons).
    ///
    /// A `switch`, so a new ``SettingKey`` cannot be left out of `settings show` or the API.
    public func value(of key: SettingKey) -> String {
        switch key {
        case .pbxHost: pbxHost
        case .httpPort: String(httpPort)
        case .sipPort: String(sipPort)
        case .extensionTemplate: extensionTemplate
        case .macWhitelist: macWhitelist.map(\.description).joined(separator: ",")
        case .macBlacklist: macBlacklist.map(\.description).joined(separator: ",")
        case .additionalParams: additionalParameters
        case .tftp: tftpEnabled ? "on" : "off"
        case .guestUsername: guestUsername
        case .voicemailNumber: voicemailNumber
        case .phonebook: phonebookEnabled ? "on" : "off"
        case .asteriskConfDir: asteriskConfDir
        case .fetchGuard: fetchGuard.rawValue
        case .trustedNetworks: trustedNetworks.map(\.description).joined(separator: ",")
        case .trustedProxies: trustedProxies.map(\.description).joined(separator: ",")
        case .banThreshold: String(banThreshold)
        case .banWindow: String(banWindow)
        case .banTime: String(banTime)
        case .httpsPort: String(httpsPort)
        case .phoneScheme: phoneScheme.rawValue
        case .deviceCA: deviceCA
        }
    }

    /// Every admin-editable setting as the admin writes it.
    public var values: [SettingKey: String] {
        Dictionary(uniqueKeysWithValues: SettingKey.allCases.map { ($0, value(of: $0)) })
    }
}

/// A URI mapping with its row id and template name.
public struct URIMappingSummary: Hashable, Sendable {
    public var id: Int64
    public var path: String
    public var template: String
}

extension ProvisioningStore {
    /// Changes several settings at once: all are checked first, then written in one transaction.
    /// - Throws: ``StoreError/invalidValue(_:)`` for the first bad value; nothing is written then.
    public func set(_ changes: [(SettingKey, String)]) throws(StoreError) {
        var normalised: [(SettingKey, String)] = []
        for (key, value) in changes { normalised.append((key, try key.normalise(value))) }
        try write { db in
            for (key, value) in normalised {
                try db.execute(
                    sql: "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    arguments: [key.rawValue, value]
                )
            }
        }
    }

    /// One template, by id.
    public func template(id: Int64) throws(StoreError) -> TemplateRecord? {
        try read { db in try TemplateRecord.fetchOne(db, key: id) }
    }

    /// Changes a template by id, its name included, in one transaction.
    /// - Throws: ``StoreError`` for an unknown id, a name another template has, or a vendor change its phones forbid.
    @discardableResult
    public func updateTemplate(id: Int64, name: String, vendor: Vendor, body: String, isVendorDefault: Bool) throws(StoreError) -> TemplateRecord {
        let trimmedName = try Self.checkTemplate(name: name, body: body)
        return try write { db in
            guard let existing = try TemplateRecord.fetchOne(db, key: id) else { throw StoreError.notFound("no template with id \(id)") }
            if try TemplateRecord.filter(Column("name").collating(.nocase) == trimmedName && Column("id") != id).fetchCount(db) > 0 {
                throw StoreError.conflict("a template named '\(trimmedName)' exists already")
            }
            try Self.store(db, existing: existing, name: trimmedName, vendor: vendor, body: body, isVendorDefault: isVendorDefault)
            guard let updated = try TemplateRecord.fetchOne(db, key: id) else { throw StoreError.notFound("no template with id \(id)") }
            return updated
        }
    }

    /// Every URI mapping with its id.
    public func uriMappingSummaries() throws(StoreError) -> [URIMappingSummary] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT m.id, m.path, t.name FROM uriMapping m JOIN template t ON t.id = m.templateID ORDER BY m.path").map {
                URIMappingSummary(id: $0[0], path: $0[1], template: $0[2])
            }
        }
    }

    /// Removes a URI mapping by id.
    public func unmapURI(id: Int64) throws(StoreError) {
        try write { db in
            guard try URIMappingRecord.deleteOne(db, key: id) else { throw StoreError.notFound("no URI mapping with id \(id)") }
        }
    }

    /// Changes what is recorded of a phone, in one transaction; nil leaves a field as it is.
    ///
    /// The admin API and the CLI both change phones here, so they refuse the same things the same way.
    /// - Parameters:
    ///   - mac: The phone.
    ///   - vendor: Its vendor.
    ///   - model: Its model (``PhoneModel``'s rule); empty clears it.
    ///   - template: `.some(name)` sets a template of the phone's vendor (the new vendor, when one is given
    ///     too), `.some(nil)` clears it so the vendor default applies.
    /// - Throws: ``StoreError/notFound(_:)`` for an unknown MAC or template, ``StoreError/invalidValue(_:)`` for
    ///   a bad model or a template of another vendor, ``StoreError/conflict(_:)`` for a vendor its template
    ///   does not fit; nothing is written then.
    public func updateDevice(mac: MACAddress, vendor: Vendor?, model: String?, template: String?? = nil) throws(StoreError) {
        let model = try model.map { name throws(StoreError) in try PhoneModel.normalised(name) }
        try write { db in
            var device = try Self.device(db, mac: mac)
            let before = device
            if let vendor { device.vendor = vendor }
            if let model { device.model = model }
            if let template {
                device.templateID = try template.map { name in try Self.templateID(db, named: name, for: device.vendor ?? OUITable.vendor(for: mac)) }
            } else if vendor != nil, let templateID = device.templateID, let kept = try TemplateRecord.fetchOne(db, key: templateID),
                kept.vendor != device.vendor
            {
                throw StoreError.conflict("device \(mac) uses the \(kept.vendor.displayName) template '\(kept.name)'; change the template first")
            }
            // Only a real change is written: the device's update trigger moves the revision, which re-renders.
            try device.updateChanges(db, from: before)
        }
    }
}
