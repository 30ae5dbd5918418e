public import GRDB

/// One programmable key of a phone: a busy-lamp field or a speed dial, in the phone's key order.
public struct FunctionKey: Codable, Hashable, Sendable {
    /// What pressing the key does.
    public enum Kind: String, Codable, CaseIterable, Sendable {
        /// Busy-lamp field: the lamp follows the monitored extension's state (needs an Asterisk hint).
        case blf
        /// Dials the number.
        case speed
    }

    public var kind: Kind
    /// The monitored extension or the number to dial.
    public var value: String
    /// The text beside the key; the phone shows the value when empty.
    public var label: String

    public init(kind: Kind, value: String, label: String = "") {
        self.kind = kind
        self.value = value
        self.label = label
    }

    /// The most keys one phone may have: a large desk phone with three expansion modules.
    public static let maximumPerDevice = 200

    /// Checks the value and label a phone will be given.
    /// - Throws: ``StoreError/invalidValue(_:)`` naming the key and what is wrong.
    func validate(position: Int) throws(StoreError) {
        guard (1...64).contains(value.utf8.count), value.utf8.allSatisfy({ $0.isASCIIAlphanumeric || "_-.+*#".utf8.contains($0) }) else {
            throw .invalidValue("key \(position): '\(value)' must be an extension or number of 1 to 64 letters, digits or _ - . + * #")
        }
        guard label.count <= 64, !label.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw .invalidValue("key \(position): the label must be at most 64 characters on one line")
        }
    }
}

/// A row of the `functionKey` table: one key of one device.
struct FunctionKeyRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "functionKey"

    var deviceID: Int64
    var position: Int
    var kind: FunctionKey.Kind
    var value: String
    var label: String

    var key: FunctionKey { FunctionKey(kind: kind, value: value, label: label) }
}

extension FunctionKey.Kind: DatabaseValueConvertible {}
