import Foundation
import GRDB

extension ProvisioningStore {
    /// The largest template body accepted.
    public static let maximumTemplateSize = 256 * 1024

    /// Every template, by name.
    public func templates() throws(StoreError) -> [TemplateRecord] {
        try read { db in try TemplateRecord.order(Column("name").collating(.nocase)).fetchAll(db) }
    }

    /// One template, by name (any case).
    public func template(named name: String) throws(StoreError) -> TemplateRecord? {
        try read { db in try TemplateRecord.filter(Column("name").collating(.nocase) == name).fetchOne(db) }
    }

    /// Creates or replaces a template.
    /// - Parameters:
    ///   - name: The template's name.
    ///   - vendor: The vendor whose format the body is in.
    ///   - body: The text, with placeholders.
    ///   - isVendorDefault: Make it the template of every phone of `vendor` that names none.
    /// - Returns: The `{NAME}` placeholders in the body that are not known (kept as they are).
    @discardableResult
    public func saveTemplate(name: String, vendor: Vendor, body: String, isVendorDefault: Bool = false) throws(StoreError) -> [String] {
        let trimmedName = try Self.checkTemplate(name: name, body: body)
        try write { db in
            let existing = try TemplateRecord.filter(Column("name").collating(.nocase) == trimmedName).fetchOne(db)
            // Saving by name keeps the name's spelling as first given.
            try Self.store(db, existing: existing, name: existing?.name ?? trimmedName, vendor: vendor, body: body, isVendorDefault: isVendorDefault)
        }
        return Self.unknownPlaceholders(body)
    }

    /// The trimmed name, after checking the name and the body.
    static func checkTemplate(name: String, body: String) throws(StoreError) -> String {
        let trimmedName = name.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(trimmedName.count), !trimmedName.contains(where: \.isNewline) else {
            throw .invalidValue("template name '\(name)' must be 1 to 64 characters on one line")
        }
        guard body.utf8.count <= Self.maximumTemplateSize else {
            throw .invalidValue("template '\(name)' is \(body.utf8.count) bytes; the limit is \(Self.maximumTemplateSize)")
        }
        guard !body.contains("\u{0}") else { throw .invalidValue("template '\(name)' contains a NUL byte") }
        return trimmedName
    }

    /// Writes `existing` with the new fields, or a new template when it is nil; one default per vendor.
    static func store(_ db: Database, existing: TemplateRecord?, name: String, vendor: Vendor, body: String, isVendorDefault: Bool) throws {
        if isVendorDefault {
            try db.execute(sql: "UPDATE template SET isVendorDefault = 0 WHERE vendor = ?", arguments: [vendor])
        }
        guard var existing else {
            var template = TemplateRecord(name: name, vendor: vendor, body: body, isVendorDefault: isVendorDefault)
            try template.insert(db)
            return
        }
        if existing.vendor != vendor,
            try DeviceRecord.filter(Column("templateID") == existing.id! && Column("vendor") != nil && Column("vendor") != vendor).fetchCount(db) > 0
        {
            throw StoreError.conflict("template '\(existing.name)' is used by \(existing.vendor.displayName) phones; its vendor cannot change")
        }
        existing.name = name
        existing.vendor = vendor
        existing.body = body
        existing.isVendorDefault = isVendorDefault
        existing.updatedAt = Date()
        try existing.update(db)
    }

    /// The `{NAME}` placeholders in a body that are not known.
    static func unknownPlaceholders(_ body: String) -> [String] {
        PlaceholderSubstitution.substitute(body, values: [:]).1.filter { Placeholder(rawValue: $0) == nil }
    }

    /// Removes a template; phones that used it fall back to their vendor default.
    public func removeTemplate(named name: String) throws(StoreError) {
        try write { db in
            guard try TemplateRecord.filter(Column("name").collating(.nocase) == name).deleteAll(db) > 0 else {
                throw StoreError.notFound("no template named '\(name)'")
            }
        }
    }

    /// Seeds one example template per vendor; existing templates of the same name are kept.
    /// - Returns: The names of the templates added.
    @discardableResult
    public func loadExampleTemplates() throws(StoreError) -> [String] {
        try write { db in
            var added: [String] = []
            for (vendor, body) in ExampleTemplates.all {
                let name = "\(vendor.rawValue)-example"
                guard try TemplateRecord.filter(Column("name").collating(.nocase) == name).fetchCount(db) == 0 else { continue }
                var template = TemplateRecord(name: name, vendor: vendor, body: body)
                try template.insert(db)
                added.append(name)
            }
            return added
        }
    }

    // MARK: - URI mappings

    /// Answers a fixed URL path with a template.
    public func mapURI(_ path: String, toTemplate name: String) throws(StoreError) {
        let normalised = try URIMappingPath.normalise(path)
        try write { db in
            let templateID = try Self.templateID(db, named: name, for: nil)
            try db.execute(
                sql: "INSERT INTO uriMapping (path, templateID) VALUES (?, ?) ON CONFLICT(path) DO UPDATE SET templateID = excluded.templateID",
                arguments: [normalised, templateID]
            )
        }
    }

    /// Every URI mapping with its template's name.
    public func uriMappings() throws(StoreError) -> [(path: String, template: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT m.path, t.name FROM uriMapping m JOIN template t ON t.id = m.templateID ORDER BY m.path").map {
                (path: $0[0], template: $0[1])
            }
        }
    }

    /// Removes a URI mapping.
    public func unmapURI(_ path: String) throws(StoreError) {
        let normalised = try URIMappingPath.normalise(path)
        try write { db in
            guard try URIMappingRecord.filter(Column("path") == normalised).deleteAll(db) > 0 else {
                throw StoreError.notFound("no URI mapping for '/\(normalised)'")
            }
        }
    }
}

/// The canonical form of a mapped URL path: no leading `/`, lowercased, one safe segment chain.
public enum URIMappingPath {
    public static func normalise(_ path: String) throws(StoreError) -> String {
        var trimmed = path.trimmingCharacters(in: .whitespaces)
        while trimmed.hasPrefix("/") { trimmed.removeFirst() }
        let segments = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 255,
            segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }),
            trimmed.utf8.allSatisfy({ $0.isASCIIAlphanumeric || "._-/".utf8.contains($0) })
        else {
            throw .invalidValue("URI path '\(path)' must be letters, digits, '.', '_', '-' and '/' segments (no '..')")
        }
        return trimmed.lowercased()
    }
}
