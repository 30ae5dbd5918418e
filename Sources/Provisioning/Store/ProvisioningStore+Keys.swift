import GRDB

extension ProvisioningStore {
    /// The programmable keys of a phone, in order.
    /// - Throws: ``StoreError/notFound(_:)`` for an unknown MAC.
    public func functionKeys(mac: MACAddress) throws(StoreError) -> [FunctionKey] {
        try read { db in
            let device = try Self.device(db, mac: mac)
            return try FunctionKeyRecord.filter(Column("deviceID") == device.id!).order(Column("position")).fetchAll(db).map(\.key)
        }
    }

    /// Replaces a phone's keys with `keys`, in that order.
    /// - Throws: ``StoreError`` for an unknown MAC or an invalid key; nothing is written then.
    public func setFunctionKeys(mac: MACAddress, _ keys: [FunctionKey], actor: String) throws(StoreError) {
        guard keys.count <= FunctionKey.maximumPerDevice else {
            throw .invalidValue("a phone has at most \(FunctionKey.maximumPerDevice) keys, \(keys.count) were given")
        }
        for (index, key) in keys.enumerated() { try key.validate(position: index + 1) }
        try write { db in
            let device = try Self.device(db, mac: mac)
            try Self.replaceKeys(db, deviceID: device.id!, keys)
            try Self.audit(
                db, mac: mac, line: nil, action: "keys", extensionNumber: nil, previousExtension: nil, actor: actor,
                detail: keys.map { "\($0.kind.rawValue) \($0.value)" }.joined(separator: ", ")
            )
        }
    }

    /// Appends a key and returns the phone's keys.
    @discardableResult
    public func addFunctionKey(mac: MACAddress, _ key: FunctionKey, actor: String) throws(StoreError) -> [FunctionKey] {
        var keys = try functionKeys(mac: mac)
        keys.append(key)
        try setFunctionKeys(mac: mac, keys, actor: actor)
        return keys
    }

    /// Removes the key at 1-based `position`; the keys after it move up.
    @discardableResult
    public func removeFunctionKey(mac: MACAddress, position: Int, actor: String) throws(StoreError) -> [FunctionKey] {
        var keys = try functionKeys(mac: mac)
        guard keys.indices.contains(position - 1) else {
            throw .notFound("device \(mac) has no key \(position) (it has \(keys.count))")
        }
        keys.remove(at: position - 1)
        try setFunctionKeys(mac: mac, keys, actor: actor)
        return keys
    }

    static func replaceKeys(_ db: Database, deviceID: Int64, _ keys: [FunctionKey]) throws {
        try FunctionKeyRecord.filter(Column("deviceID") == deviceID).deleteAll(db)
        for (index, key) in keys.enumerated() {
            try FunctionKeyRecord(deviceID: deviceID, position: index + 1, kind: key.kind, value: key.value, label: key.label).insert(db)
        }
    }
}
