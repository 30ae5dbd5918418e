import GRDB

extension ProvisioningStore {
    /// Adds an account, or replaces the one with the same extension.
    /// - Throws: ``StoreError/invalidValue(_:)`` for an empty or malformed field.
    public func saveAccount(_ account: AccountRecord) throws(StoreError) {
        try Validation.extensionNumber(account.extensionNumber)
        try Validation.token(account.authUsername, field: "username")
        try Validation.password(account.password)
        try Validation.singleLine(account.displayName, field: "name")
        try write { db in try account.save(db) }
    }

    /// Every local account, by extension.
    public func accounts() throws(StoreError) -> [AccountRecord] {
        try read { db in try AccountRecord.order(Column("extensionNumber")).fetchAll(db) }
    }

    /// Removes an account.
    /// - Throws: ``StoreError/notFound(_:)`` when there is no such extension.
    public func removeAccount(_ extensionNumber: String) throws(StoreError) {
        try write { db in
            guard try AccountRecord.deleteOne(db, key: extensionNumber) else {
                throw StoreError.notFound("no account for extension '\(extensionNumber)'")
            }
        }
    }
}

/// Input checks shared by the store's write methods.
enum Validation {
    static func extensionNumber(_ value: String) throws(StoreError) {
        guard (1...64).contains(value.utf8.count),
            value.utf8.allSatisfy({ $0.isASCIIAlphanumeric || "_-.+*#".utf8.contains($0) })
        else {
            throw .invalidValue("extension '\(value)' must be 1 to 64 letters, digits or _ - . + * #")
        }
    }

    static func token(_ value: String, field: String) throws(StoreError) {
        guard (1...128).contains(value.utf8.count), value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw .invalidValue("\(field) '\(value)' must be 1 to 128 printable characters without spaces")
        }
    }

    static func password(_ value: String) throws(StoreError) {
        guard !value.isEmpty else { throw .invalidValue("password must not be empty") }
        guard value.utf8.count <= 256, !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw .invalidValue("password must be at most 256 bytes with no control characters or line breaks")
        }
    }

    static func singleLine(_ value: String, field: String) throws(StoreError) {
        guard value.utf8.count <= 256, !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw .invalidValue("\(field) must be at most 256 bytes on one line")
        }
    }

    static func line(_ line: Int) throws(StoreError) {
        guard (1...16).contains(line) else { throw .invalidValue("line \(line) is out of range 1...16") }
    }
}

extension UInt8 {
    var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }
}
