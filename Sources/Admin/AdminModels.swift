import Foundation
import Provisioning

/// The JSON shapes of the admin API (docs/admin-api.md).
enum AdminModels {
    struct Line: Codable {
        var line: Int
        var `extension`: String
    }

    struct Key: Codable {
        var type: FunctionKey.Kind
        var value: String
        var label: String?

        init(_ key: FunctionKey) {
            type = key.kind
            value = key.value
            label = key.label
        }

        enum CodingKeys: String, CodingKey { case type, value, label }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let name = try container.decode(String.self, forKey: .type)
            guard let kind = FunctionKey.Kind(rawValue: name) else {
                throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "'\(name)' must be blf or speed")
            }
            type = kind
            value = try container.decode(String.self, forKey: .value)
            label = try container.decodeIfPresent(String.self, forKey: .label)
        }

        var functionKey: FunctionKey { FunctionKey(kind: type, value: value, label: label ?? "") }
    }

    struct Device: Encodable {
        var mac: String
        var vendor: Vendor?
        var model: String?
        var firmware: String?
        var template: String?
        var lastIP: String?
        var firstSeen: Date?
        var lastSeen: Date?
        var lastConfigFetch: Date?
        var deviceCertificate: String?
        var deviceCertificateSeen: Date?
        var registered: Bool?
        var lines: [Line]
        var keys: [Key]
        var status: String
        var statusReason: String?

        enum CodingKeys: String, CodingKey {
            case mac, vendor, model, firmware, template, lastIP, firstSeen, lastSeen, lastConfigFetch, deviceCertificate, deviceCertificateSeen
            case registered, lines, keys, status, statusReason
        }

        /// Absent values are written as `null`, as the API description says.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(mac, forKey: .mac)
            try c.encode(vendor, forKey: .vendor)
            try c.encode(model, forKey: .model)
            try c.encode(firmware, forKey: .firmware)
            try c.encode(template, forKey: .template)
            try c.encode(lastIP, forKey: .lastIP)
            try c.encode(firstSeen, forKey: .firstSeen)
            try c.encode(lastSeen, forKey: .lastSeen)
            try c.encode(lastConfigFetch, forKey: .lastConfigFetch)
            try c.encode(deviceCertificate, forKey: .deviceCertificate)
            try c.encode(deviceCertificateSeen, forKey: .deviceCertificateSeen)
            try c.encode(registered, forKey: .registered)
            try c.encode(lines, forKey: .lines)
            try c.encode(keys, forKey: .keys)
            try c.encode(status, forKey: .status)
            try c.encode(statusReason, forKey: .statusReason)
        }

        init(_ summary: DeviceSummary, snapshot: ProvisioningSnapshot, isRegistered: (String) -> Bool?) {
            let address = try? summary.device.address
            mac = address?.description ?? summary.device.mac
            vendor = summary.effectiveVendor
            model = summary.device.model
            firmware = summary.device.firmwareVersion
            template = summary.templateName
            lastIP = summary.device.lastIP
            firstSeen = summary.device.firstSeen
            lastSeen = summary.device.lastSeen
            lastConfigFetch = summary.device.lastConfigFetch
            deviceCertificate = summary.device.certificateSubject
            deviceCertificateSeen = summary.device.certificateSeen
            lines = summary.lines.map { Line(line: $0.line, extension: $0.extensionNumber) }
            keys = summary.keys.map(Key.init)
            let states = summary.lines.map { isRegistered($0.extensionNumber) }
            registered = states.contains { $0 == nil } || states.isEmpty ? nil : states.contains(true)
            let known = address.flatMap { snapshot.status(of: $0) }
            // A change not yet in the served snapshot: say what the store says.
            status = known?.name ?? (summary.lines.isEmpty ? "unbound" : "bound")
            statusReason = known?.reason
        }
    }

    struct NewDevice: Decodable {
        var mac: String
        var vendor: String?
        var model: String?
        var template: String?
        var `extension`: String?
    }

    /// `template: null` clears the template; an absent key leaves it.
    struct DeviceChange: Decodable {
        var vendor: String?
        var model: String?
        var template: String??

        enum CodingKeys: String, CodingKey { case vendor, model, template }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            vendor = try container.decodeIfPresent(String.self, forKey: .vendor)
            model = try container.decodeIfPresent(String.self, forKey: .model)
            template = container.contains(.template) ? .some(try container.decodeIfPresent(String.self, forKey: .template)) : .none
        }
    }

    struct LineChange: Decodable {
        var `extension`: String
    }

    struct Template: Codable {
        var id: Int64?
        var name: String
        var vendor: Vendor
        var body: String
        var isVendorDefault: Bool
        var updatedAt: Date?

        init(_ record: TemplateRecord) {
            id = record.id
            name = record.name
            vendor = record.vendor
            body = record.body
            isVendorDefault = record.isVendorDefault
            updatedAt = record.updatedAt
        }
    }

    struct TemplateInput: Decodable {
        var name: String
        var vendor: String
        var body: String
        var isVendorDefault: Bool?
    }

    struct PreviewRequest: Decodable {
        var vendor: String
        var body: String
        var mac: String?
    }

    struct Preview: Encodable {
        var vendor: Vendor
        var contentType: String
        var body: String
        var problems: [String]
    }

    struct Placeholder: Encodable {
        var name: String
        var description: String
    }

    struct URIMapping: Encodable {
        var id: Int64
        var path: String
        var template: String
    }

    struct NewURIMapping: Decodable {
        var path: String
        var template: String
    }

    struct PhonebookSource: Encodable {
        var id: Int64?
        var url: String
        var name: String
    }

    struct NewPhonebookSource: Decodable {
        var url: String
        var name: String?
    }

    struct PhonebookEntry: Encodable {
        var name: String
        var number: String
    }

    struct Firmware: Encodable {
        var id: Int64?
        var vendor: Vendor
        var model: String
        var version: String
        var notes: String
        var fileName: String
        var size: Int64
        var sha256: String
        var url: String
        var createdAt: Date

        init(_ record: FirmwareRecord, settings: PnPSettings) {
            id = record.id
            vendor = record.vendor
            model = record.model
            version = record.version
            notes = record.notes
            fileName = record.fileName
            size = record.size
            sha256 = record.sha256
            url = settings.phoneBaseURL + record.path
            createdAt = record.createdAt
        }
    }

    /// An absent key leaves the field as it is; `"model": ""` makes the row the vendor-wide one.
    struct FirmwareChange: Decodable {
        var version: String?
        var notes: String?
        var model: String?
    }

    struct Account: Encodable {
        var `extension`: String
        var authUsername: String
        var displayName: String
    }

    struct NewAccount: Decodable {
        var `extension`: String
        var displayName: String?
        var authUsername: String?
        var password: String?
    }

    struct AuditEntry: Encodable {
        var at: Date
        var mac: String
        var line: Int?
        var action: String
        var `extension`: String?
        var previousExtension: String?
        var actor: String
        var detail: String?

        enum CodingKeys: String, CodingKey { case at, mac, line, action, `extension`, previousExtension, actor, detail }

        /// Absent values are written as `null`.
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(at, forKey: .at)
            try c.encode(mac, forKey: .mac)
            try c.encode(line, forKey: .line)
            try c.encode(action, forKey: .action)
            try c.encode(`extension`, forKey: .extension)
            try c.encode(previousExtension, forKey: .previousExtension)
            try c.encode(actor, forKey: .actor)
            try c.encode(detail, forKey: .detail)
        }
    }

    struct Status: Encodable {
        struct AMI: Encodable {
            var enabled: Bool
            var connected: Bool
        }

        var version: String
        var revision: Int64
        var devices: Int
        var ami: AMI
    }

    struct Reboot: Encodable {
        var sent: Bool
        var via: String
        var detail: String
    }

    /// A phone's private provisioning URL (`GET /api/devices/{mac}/url`).
    struct PrivateURL: Encodable {
        var mac: String
        var url: String
    }

    /// An address banned for guessing (`GET /api/bans`).
    struct Ban: Encodable {
        var address: String
        var until: Date
        var failures: Int
        var since: Date
    }
}
