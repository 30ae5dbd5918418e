public import Foundation
import GRDB

/// Everything a snapshot is built from, read in one transaction so it is consistent.
struct CatalogInputs: Sendable {
    var revision: Int64
    var settings: PnPSettings
    var devices: [DeviceRecord]
    var bindings: [Int64: [LineBindingRecord]]
    var templates: [Int64: TemplateRecord]
    var mappings: [URIMappingRecord]
    var firmware: [FirmwareRecord]
    var keys: [Int64: [FunctionKey]]
}

/// One phone's fetch, kept for the device list (last IP, last fetch).
public struct FetchEvent: Hashable, Sendable {
    public var mac: MACAddress
    public var at: Date
    public var ip: String?
    public var port: Int?
    /// The request's User-Agent, parsed off the request path when the batch is written.
    public var userAgent: String?
    /// The subject of the device certificate that proved the phone's MAC, when it fetched over HTTPS with one.
    public var certificateSubject: String?

    public init(mac: MACAddress, at: Date, ip: String?, port: Int?, userAgent: String? = nil, certificateSubject: String? = nil) {
        self.mac = mac
        self.at = at
        self.ip = ip
        self.port = port
        self.userAgent = userAgent
        self.certificateSubject = certificateSubject
    }
}

extension ProvisioningStore {
    func catalogInputs() throws(StoreError) -> CatalogInputs {
        try read { db in
            CatalogInputs(
                revision: try Int64.fetchOne(db, sql: "SELECT value FROM revision WHERE id = 1") ?? 0,
                settings: try Self.settings(db),
                devices: try DeviceRecord.fetchAll(db),
                bindings: Dictionary(grouping: try LineBindingRecord.order(Column("line")).fetchAll(db), by: \.deviceID),
                templates: Dictionary(uniqueKeysWithValues: try TemplateRecord.fetchAll(db).map { ($0.id!, $0) }),
                mappings: try URIMappingRecord.fetchAll(db),
                firmware: try FirmwareRecord.fetchAll(db),
                keys: Dictionary(grouping: try FunctionKeyRecord.order(Column("position")).fetchAll(db), by: \.deviceID).mapValues { $0.map(\.key) }
            )
        }
    }

    /// Notes where a phone was seen (a star-code call), without moving the revision.
    public func recordSeen(mac: MACAddress, ip: String, at date: Date = Date()) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE device SET lastSeen = ?, lastIP = ? WHERE mac = ?", arguments: [date, ip, mac.compact])
        }
    }

    /// Records config fetches in one transaction; this does not move the revision.
    public func recordFetches(_ events: [FetchEvent]) throws(StoreError) {
        guard !events.isEmpty else { return }
        try write { db in
            for event in events {
                try db.execute(
                    sql: """
                        UPDATE device SET lastConfigFetch = ?, lastSeen = ?, lastIP = coalesce(?, lastIP), lastPort = coalesce(?, lastPort)
                        WHERE mac = ?
                        """,
                    arguments: [event.at, event.at, event.ip, event.port, event.mac.compact]
                )
                if let subject = event.certificateSubject {
                    try db.execute(
                        sql: "UPDATE device SET certificateSubject = ?, certificateSeen = ? WHERE mac = ?",
                        arguments: [subject, event.at, event.mac.compact]
                    )
                }
                // The model and firmware the phone reports, when its User-Agent names its own vendor. Written only
                // when they differ: the model picks firmware and keys, so a real change re-renders the phone's file.
                guard let reported = event.userAgent.flatMap(PhoneUserAgent.init) else { continue }
                try db.execute(
                    sql: """
                        UPDATE device SET model = ?1, firmwareVersion = ?2
                        WHERE mac = ?3 AND (vendor IS NULL OR vendor = ?4) AND (model IS NOT ?1 OR firmwareVersion IS NOT ?2)
                        """,
                    arguments: [reported.model, reported.version, event.mac.compact, reported.vendor.rawValue]
                )
            }
        }
    }
}
