public import GRDB

/// A SIP account kept in the product's own store, for PBXes without a live credential source.
public struct AccountRecord: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "account"

    public var extensionNumber: String
    public var authUsername: String
    public var password: String
    public var displayName: String

    public init(extensionNumber: String, authUsername: String, password: String, displayName: String) {
        self.extensionNumber = extensionNumber
        self.authUsername = authUsername
        self.password = password
        self.displayName = displayName
    }

    var credentials: SIPCredentials {
        SIPCredentials(extensionNumber: extensionNumber, authUsername: authUsername, password: password, displayName: displayName)
    }
}
