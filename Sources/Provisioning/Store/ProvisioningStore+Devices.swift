public import Foundation
import GRDB

extension ProvisioningStore {
    /// Adds a phone, optionally with a template and line 1 (or `line`) bound to an extension.
    /// - Parameters:
    ///   - mac: The phone's address.
    ///   - vendor: The vendor; when nil the MAC prefix or User-Agent decides at fetch time.
    ///   - model: The model, when known.
    ///   - templateName: A template of the phone's vendor.
    ///   - extensionNumber: An extension to bind right away.
    ///   - line: The line to bind it to (default 1).
    ///   - actor: Who makes the change, for the audit log.
    /// - Throws: ``StoreError`` when the device exists already or an argument is invalid; nothing is written then.
    @discardableResult
    public func addDevice(
        mac: MACAddress,
        vendor: Vendor?,
        model: String?,
        templateName: String?,
        extensionNumber: String?,
        line: Int = 1,
        actor: String
    ) throws(StoreError) -> DeviceRecord {
        let model = try model.flatMap { name throws(StoreError) in try PhoneModel.normalised(name) }
        if let extensionNumber { try Validation.extensionNumber(extensionNumber) }
        try Validation.line(line)
        return try write { db in
            if try DeviceRecord.filter(Column("mac") == mac.compact).fetchOne(db) != nil {
                throw StoreError.conflict("device \(mac) already exists; use 'device bind' to change its lines")
            }
            var device = DeviceRecord(mac: mac, vendor: vendor, model: model)
            if let templateName {
                device.templateID = try Self.templateID(db, named: templateName, for: vendor ?? OUITable.vendor(for: mac))
            }
            device.firstSeen = Date()
            try device.insert(db)
            try Self.audit(db, mac: mac, line: nil, action: "device-add", extensionNumber: nil, previousExtension: nil, actor: actor)
            if let extensionNumber, let id = device.id {
                try Self.bind(db, deviceID: id, mac: mac, extensionNumber: extensionNumber, line: line, actor: actor)
            }
            return device
        }
    }

    /// Binds a line of a known phone to an extension, replacing what that line had.
    /// - Parameters:
    ///   - createWithVendor: Create the device first when it is unknown (star-code binding of a phone
    ///     found through the neighbour table); nil refuses unknown MACs.
    ///   - detail: Recorded in the audit log (the caller's IP).
    /// - Throws: ``StoreError/notFound(_:)`` for an unknown MAC.
    ///   - seenAt: The phone's address, noted as where it was last seen.
    public func bind(
        mac: MACAddress, extensionNumber: String, line: Int = 1, actor: String, createWithVendor: Vendor?? = nil, detail: String? = nil,
        seenAt ip: String? = nil
    ) throws(StoreError) {
        try Validation.extensionNumber(extensionNumber)
        try Validation.line(line)
        try write { db in
            var device: DeviceRecord
            if let existing = try DeviceRecord.filter(Column("mac") == mac.compact).fetchOne(db) {
                device = existing
            } else if let vendor = createWithVendor {
                device = DeviceRecord(mac: mac, vendor: vendor)
                device.firstSeen = Date()
                try device.insert(db)
                try Self.audit(
                    db, mac: mac, line: nil, action: "device-add", extensionNumber: nil, previousExtension: nil, actor: actor, detail: detail)
            } else {
                throw StoreError.notFound("no device with MAC \(mac)")
            }
            try Self.bind(db, deviceID: device.id!, mac: mac, extensionNumber: extensionNumber, line: line, actor: actor, detail: detail)
            if let ip {
                try db.execute(sql: "UPDATE device SET lastSeen = ?, lastIP = ? WHERE id = ?", arguments: [Date(), ip, device.id!])
            }
        }
    }

    /// Records a refused or failed bind attempt in the audit log.
    public func recordRefusedBind(mac: MACAddress?, line: Int?, extensionNumber: String?, actor: String, detail: String) throws(StoreError) {
        try write { db in
            try Self.audit(
                db, mac: mac, line: line, action: "bind-refused", extensionNumber: extensionNumber, previousExtension: nil, actor: actor,
                detail: detail)
        }
    }

    /// Removes a line's binding.
    /// - Throws: ``StoreError/notFound(_:)`` when the phone or the binding does not exist.
    public func unbind(mac: MACAddress, line: Int, actor: String) throws(StoreError) {
        try write { db in
            let device = try Self.device(db, mac: mac)
            guard let binding = try LineBindingRecord.filter(Column("deviceID") == device.id! && Column("line") == line).fetchOne(db) else {
                throw StoreError.notFound("device \(mac) has no binding on line \(line)")
            }
            try binding.delete(db)
            try Self.audit(
                db,
                mac: mac, line: line, action: "unbind", extensionNumber: nil, previousExtension: binding.extensionNumber, actor: actor
            )
        }
    }

    /// Sets or clears the template of a phone.
    public func setTemplate(mac: MACAddress, templateName: String?) throws(StoreError) {
        try updateDevice(mac: mac, vendor: nil, model: nil, template: .some(templateName))
    }

    /// Removes a phone and its bindings.
    public func removeDevice(mac: MACAddress, actor: String) throws(StoreError) {
        try write { db in
            let device = try Self.device(db, mac: mac)
            try device.delete(db)
            try Self.audit(db, mac: mac, line: nil, action: "device-remove", extensionNumber: nil, previousExtension: nil, actor: actor)
        }
    }

    /// Every phone with its bindings, by MAC.
    public func devices() throws(StoreError) -> [DeviceSummary] {
        try read { db in
            let templates = try Dictionary(uniqueKeysWithValues: TemplateRecord.fetchAll(db).map { ($0.id!, $0.name) })
            let bindings = try Dictionary(grouping: LineBindingRecord.order(Column("line")).fetchAll(db), by: \.deviceID)
            let keys = try Dictionary(grouping: FunctionKeyRecord.order(Column("position")).fetchAll(db), by: \.deviceID)
            return try DeviceRecord.order(Column("mac")).fetchAll(db).map { device in
                DeviceSummary(
                    device: device, lines: bindings[device.id!] ?? [], templateName: device.templateID.flatMap { templates[$0] },
                    keys: keys[device.id!]?.map(\.key) ?? []
                )
            }
        }
    }

    /// One phone, or nil.
    public func device(mac: MACAddress) throws(StoreError) -> DeviceSummary? {
        try read { db in
            guard let device = try DeviceRecord.filter(Column("mac") == mac.compact).fetchOne(db) else { return nil }
            let lines = try LineBindingRecord.filter(Column("deviceID") == device.id!).order(Column("line")).fetchAll(db)
            let template = try device.templateID.flatMap { try TemplateRecord.fetchOne(db, key: $0)?.name }
            let keys = try FunctionKeyRecord.filter(Column("deviceID") == device.id!).order(Column("position")).fetchAll(db).map(\.key)
            return DeviceSummary(device: device, lines: lines, templateName: template, keys: keys)
        }
    }

    /// The most recent binding changes, newest first.
    public func auditLog(limit: Int = 100) throws(StoreError) -> [BindingAuditRecord] {
        try read { db in try BindingAuditRecord.order(Column("id").desc).limit(limit).fetchAll(db) }
    }

    // MARK: - Helpers inside a transaction

    static func audit(
        _ db: Database, mac: MACAddress?, line: Int?, action: String, extensionNumber: String?, previousExtension: String?, actor: String,
        detail: String? = nil
    ) throws {
        var record = BindingAuditRecord(
            mac: mac, line: line, action: action, extensionNumber: extensionNumber, previousExtension: previousExtension, actor: actor,
            detail: detail
        )
        try record.insert(db)
    }

    static func device(_ db: Database, mac: MACAddress) throws -> DeviceRecord {
        guard let device = try DeviceRecord.filter(Column("mac") == mac.compact).fetchOne(db) else {
            throw StoreError.notFound("no device with MAC \(mac)")
        }
        return device
    }

    static func bind(
        _ db: Database, deviceID: Int64, mac: MACAddress, extensionNumber: String, line: Int, actor: String, detail: String? = nil
    ) throws {
        let existing = try LineBindingRecord.filter(Column("deviceID") == deviceID && Column("line") == line).fetchOne(db)
        if existing?.extensionNumber == extensionNumber {
            if let detail {
                try Self.audit(
                    db, mac: mac, line: line, action: "bind-unchanged", extensionNumber: extensionNumber, previousExtension: nil, actor: actor,
                    detail: detail)
            }
            return
        }
        if var existing {
            existing.extensionNumber = extensionNumber
            try existing.update(db)
        } else {
            var binding = LineBindingRecord(deviceID: deviceID, line: line, extensionNumber: extensionNumber)
            try binding.insert(db)
        }
        try Self.audit(
            db, mac: mac, line: line, action: "bind", extensionNumber: extensionNumber, previousExtension: existing?.extensionNumber, actor: actor,
            detail: detail
        )
    }

    static func templateID(_ db: Database, named name: String, for vendor: Vendor?) throws -> Int64 {
        guard let template = try TemplateRecord.filter(Column("name").collating(.nocase) == name).fetchOne(db) else {
            throw StoreError.notFound("no template named '\(name)'")
        }
        if let vendor, template.vendor != vendor {
            throw StoreError.invalidValue("template '\(name)' is for \(template.vendor.displayName), but the device is a \(vendor.displayName)")
        }
        return template.id!
    }
}

extension ProvisioningStore {
    /// Records a phone that announced itself (PnP): creates it unbound, or refreshes what it said about
    /// itself; another device's stale claim on the same address is cleared.
    /// - Returns: True when the phone was not known before.
    @discardableResult
    public func recordDiscovered(
        mac: MACAddress, vendor: Vendor?, model: String?, firmwareVersion: String?, ip: String, port: Int, at date: Date = Date()
    ) throws(StoreError) -> Bool {
        let model = model.flatMap { $0.isEmpty || $0.count > 64 ? nil : $0 }
        let firmwareVersion = firmwareVersion.flatMap { $0.isEmpty || $0.count > 64 ? nil : $0 }
        return try write { db in
            try db.execute(sql: "UPDATE device SET lastIP = NULL, lastPort = NULL WHERE lastIP = ? AND mac != ?", arguments: [ip, mac.compact])
            if var device = try DeviceRecord.filter(Column("mac") == mac.compact).fetchOne(db) {
                let before = device
                if device.vendor == nil { device.vendor = vendor }
                device.model = model ?? device.model
                device.firmwareVersion = firmwareVersion ?? device.firmwareVersion
                device.lastIP = ip
                device.lastPort = port
                device.lastSeen = date
                if device != before { try device.update(db) }
                return false
            }
            var device = DeviceRecord(mac: mac, vendor: vendor, model: model)
            device.firmwareVersion = firmwareVersion
            device.lastIP = ip
            device.lastPort = port
            device.firstSeen = date
            device.lastSeen = date
            try device.insert(db)
            try Self.audit(
                db, mac: mac, line: nil, action: "device-discovered", extensionNumber: nil, previousExtension: nil, actor: "pnp",
                detail: "\(ip):\(port)")
            return true
        }
    }
}
