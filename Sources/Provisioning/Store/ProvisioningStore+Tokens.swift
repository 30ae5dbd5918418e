import GRDB

extension ProvisioningStore {
    /// The token of a phone's private provisioning URL.
    /// - Throws: ``StoreError/notFound(_:)`` for an unknown MAC.
    public func token(mac: MACAddress) throws(StoreError) -> String {
        try read { db in try Self.device(db, mac: mac).token }
    }

    /// Gives a phone a new token; the old one stops opening its files at the next snapshot.
    /// - Returns: The new token.
    /// - Throws: ``StoreError/notFound(_:)`` for an unknown MAC.
    @discardableResult
    public func rotateToken(mac: MACAddress) throws(StoreError) -> String {
        try write { db in
            var device = try Self.device(db, mac: mac)
            device.token = DeviceToken.random()
            try device.update(db, columns: ["token"])
            return device.token
        }
    }
}

extension PnPSettings {
    /// A phone's private provisioning URL; the phone appends its own file name.
    /// - Parameter token: The phone's ``DeviceToken``.
    public func provisioningURL(token: String) -> String {
        "\(phoneBaseURL)/p/\(token)/"
    }
}
