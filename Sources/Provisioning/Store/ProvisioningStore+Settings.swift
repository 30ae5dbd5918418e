import GRDB

extension ProvisioningStore {
    /// The current settings, defaults filled in.
    public func settings() throws(StoreError) -> PnPSettings {
        try read { db in try Self.settings(db) }
    }

    /// Changes one setting after checking its value.
    /// - Parameters:
    ///   - key: The setting.
    ///   - value: The new value as the admin gave it.
    /// - Throws: ``StoreError/invalidValue(_:)`` naming what is wrong; nothing is written then.
    public func set(_ key: SettingKey, to value: String) throws(StoreError) {
        let normalised = try key.normalise(value)
        try write { db in
            try db.execute(
                sql: "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                arguments: [key.rawValue, normalised]
            )
        }
    }

    static func settings(_ db: Database) throws -> PnPSettings {
        let rows = try Dictionary(
            uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT key, value FROM setting").map {
                (($0["key"] as String), ($0["value"] as String))
            })
        var settings = PnPSettings.defaults
        if let value = rows[SettingKey.pbxHost.rawValue] { settings.pbxHost = value }
        if let value = rows[SettingKey.httpPort.rawValue].flatMap(Int.init) { settings.httpPort = value }
        if let value = rows[SettingKey.sipPort.rawValue].flatMap(Int.init) { settings.sipPort = value }
        if let value = rows[SettingKey.extensionTemplate.rawValue] { settings.extensionTemplate = value }
        if let value = rows[SettingKey.macWhitelist.rawValue] { settings.macWhitelist = (try? MACList.parse(value)) ?? [] }
        if let value = rows[SettingKey.macBlacklist.rawValue] { settings.macBlacklist = (try? MACList.parse(value)) ?? [] }
        if let value = rows[SettingKey.additionalParams.rawValue] { settings.additionalParameters = value }
        if let value = rows[SettingKey.tftp.rawValue] { settings.tftpEnabled = value == "1" }
        if let value = rows[SettingKey.guestUsername.rawValue] { settings.guestUsername = value }
        if let value = rows[SettingKey.voicemailNumber.rawValue] { settings.voicemailNumber = value }
        if let value = rows[SettingKey.phonebook.rawValue] { settings.phonebookEnabled = value == "1" }
        if let value = rows[SettingKey.asteriskConfDir.rawValue] { settings.asteriskConfDir = value }
        if let value = rows[SettingKey.fetchGuard.rawValue].flatMap(FetchGuardMode.init(rawValue:)) { settings.fetchGuard = value }
        if let value = rows[SettingKey.trustedNetworks.rawValue] { settings.trustedNetworks = (try? IPNetwork.list(value)) ?? [] }
        if let value = rows[SettingKey.trustedProxies.rawValue] { settings.trustedProxies = (try? IPNetwork.list(value)) ?? [] }
        if let value = rows[SettingKey.banThreshold.rawValue].flatMap(Int.init) { settings.banThreshold = value }
        if let value = rows[SettingKey.banWindow.rawValue].flatMap(Int.init) { settings.banWindow = value }
        if let value = rows[SettingKey.banTime.rawValue].flatMap(Int.init) { settings.banTime = value }
        if let value = rows[SettingKey.httpsPort.rawValue].flatMap(Int.init) { settings.httpsPort = value }
        if let value = rows[SettingKey.phoneScheme.rawValue].flatMap(PhoneScheme.init(rawValue:)) { settings.phoneScheme = value }
        if let value = rows[SettingKey.deviceCA.rawValue] { settings.deviceCA = value }
        settings.guestSecret = rows["guest-secret"] ?? ""
        return settings
    }
}
