public import Foundation
public import GRDB

/// A phone the product knows: added by an admin, discovered on the LAN, or bound by star code.
public struct DeviceRecord: Codable, Hashable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "device"

    public var id: Int64?
    /// Twelve lowercase hex digits, unique.
    public var mac: String
    public var vendor: Vendor?
    public var model: String?
    public var firmwareVersion: String?
    public var templateID: Int64?
    public var lastIP: String?
    public var lastPort: Int?
    public var firstSeen: Date?
    public var lastSeen: Date?
    public var lastConfigFetch: Date?
    /// The secret of the phone's private provisioning URL (``DeviceToken``), unique.
    public var token: String
    /// The subject of the factory device certificate the phone last proved its MAC with over HTTPS.
    public var certificateSubject: String?
    /// When the phone last fetched with that certificate.
    public var certificateSeen: Date?

    public init(mac: MACAddress, vendor: Vendor? = nil, model: String? = nil, templateID: Int64? = nil) {
        self.mac = mac.compact
        self.token = DeviceToken.random()
        self.vendor = vendor
        self.model = model
        self.templateID = templateID
    }

    /// The parsed address; the schema guarantees it is valid.
    public var address: MACAddress {
        get throws(MACAddressError) { try MACAddress(parsing: mac) }
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
