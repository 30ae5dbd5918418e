public import GRDB

extension Vendor: DatabaseValueConvertible {}

/// The versioned schema of the store. Migrations are append-only: never edit a shipped one.
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            let vendors = Vendor.allCases.map { "'\($0.rawValue)'" }.joined(separator: ",")
            try db.create(table: "setting") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
            try db.create(table: "template") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique().collate(.nocase)
                t.column("vendor", .text).notNull().check(sql: "vendor IN (\(vendors))")
                t.column("body", .text).notNull()
                t.column("isVendorDefault", .boolean).notNull().defaults(to: false)
                t.column("updatedAt", .datetime).notNull()
            }
            try db.execute(sql: "CREATE UNIQUE INDEX template_vendor_default ON template(vendor) WHERE isVendorDefault")
            try db.create(table: "device") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("mac", .text).notNull().unique().check(sql: "length(mac) = 12 AND mac NOT GLOB '*[^0-9a-f]*'")
                t.column("vendor", .text).check(sql: "vendor IS NULL OR vendor IN (\(vendors))")
                t.column("model", .text)
                t.column("firmwareVersion", .text)
                t.column("templateID", .integer).indexed().references("template", onDelete: .setNull)
                t.column("lastIP", .text)
                t.column("lastPort", .integer)
                t.column("firstSeen", .datetime)
                t.column("lastSeen", .datetime)
                t.column("lastConfigFetch", .datetime)
            }
            try db.create(table: "lineBinding") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("deviceID", .integer).notNull().indexed().references("device", onDelete: .cascade)
                t.column("line", .integer).notNull().check { $0 >= 1 && $0 <= 16 }
                t.column("extensionNumber", .text).notNull().indexed()
                t.uniqueKey(["deviceID", "line"])
            }
            try db.create(table: "uriMapping") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("path", .text).notNull().unique()
                t.column("templateID", .integer).notNull().references("template", onDelete: .cascade)
            }
            try db.create(table: "account") { t in
                t.primaryKey("extensionNumber", .text)
                t.column("authUsername", .text).notNull()
                t.column("password", .text).notNull()
                t.column("displayName", .text).notNull()
            }
            try db.create(table: "bindingAudit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .datetime).notNull()
                t.column("mac", .text).notNull().indexed()
                t.column("line", .integer)
                t.column("action", .text).notNull()
                t.column("extensionNumber", .text)
                t.column("previousExtension", .text)
                t.column("actor", .text).notNull()
            }
            // One counter that every change a phone could see bumps, so a running
            // server notices changes made by another process (the CLI) cheaply.
            try db.create(table: "revision") { t in
                t.primaryKey("id", .integer).check { $0 == 1 }
                t.column("value", .integer).notNull()
            }
            try db.execute(sql: "INSERT INTO revision (id, value) VALUES (1, 1)")
            let watched: [(table: String, update: String)] = [
                ("setting", "UPDATE"),
                ("template", "UPDATE"),
                // Fetch bookkeeping (last seen, last IP) must not trigger a re-render.
                ("device", "UPDATE OF mac, vendor, model, templateID"),
                ("lineBinding", "UPDATE"),
                ("uriMapping", "UPDATE"),
                ("account", "UPDATE"),
            ]
            for (table, update) in watched {
                for event in ["INSERT", "DELETE", update] {
                    let name = "\(table)_\(event.split(separator: " ")[0].lowercased())_revision"
                    try db.execute(
                        sql: """
                            CREATE TRIGGER \(name) AFTER \(event) ON \(table)
                            BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END
                            """)
                }
            }
        }
        migrator.registerMigration("v2-runtime-status") { db in
            // What the daemon reports about itself (last AMI sync), for other processes to show.
            // Deliberately not watched by the revision triggers: it changes no phone's file.
            try db.create(table: "runtimeStatus") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v3-audit-detail") { db in
            // Caller IP and outcome of star-code attempts, refusals included.
            try db.alter(table: "bindingAudit") { t in
                t.add(column: "detail", .text)
            }
        }
        migrator.registerMigration("v4-firmware") { db in
            try db.create(table: "firmware") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("vendor", .text).notNull()
                // Empty for the vendor-wide fallback.
                t.column("model", .text).notNull().defaults(to: "").collate(.nocase)
                t.column("version", .text).notNull().defaults(to: "")
                t.column("notes", .text).notNull().defaults(to: "")
                t.column("fileName", .text).notNull()
                t.column("size", .integer).notNull()
                t.column("sha256", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.uniqueKey(["vendor", "model"])
            }
            for event in ["INSERT", "DELETE", "UPDATE"] {
                try db.execute(
                    sql: """
                        CREATE TRIGGER firmware_\(event.lowercased())_revision AFTER \(event) ON firmware
                        BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END
                        """)
            }
        }
        migrator.registerMigration("v5-phonebook-sources") { db in
            // Other instances whose directories are merged into ours (SEED.md, "Phone book").
            try db.create(table: "phonebookSource") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("url", .text).notNull().unique()
                t.column("name", .text).notNull().defaults(to: "")
            }
        }
        migrator.registerMigration("v6-function-keys") { db in
            try db.create(table: "functionKey") { t in
                t.column("deviceID", .integer).notNull().references("device", onDelete: .cascade)
                // 1-based order on the phone; rewritten whole when the list changes.
                t.column("position", .integer).notNull()
                t.column("kind", .text).notNull()
                t.column("value", .text).notNull()
                t.column("label", .text).notNull().defaults(to: "")
                t.primaryKey(["deviceID", "position"])
            }
            for event in ["INSERT", "DELETE", "UPDATE"] {
                try db.execute(
                    sql: """
                        CREATE TRIGGER functionKey_\(event.lowercased())_revision AFTER \(event) ON functionKey
                        BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END
                        """)
            }
        }
        migrator.registerMigration("v7-device-tokens") { db in
            try db.alter(table: "device") { t in t.add(column: "token", .text) }
            // Every existing phone gets its own token now; new ones get theirs from DeviceRecord.
            for id in try Int64.fetchAll(db, sql: "SELECT id FROM device") {
                try db.execute(sql: "UPDATE device SET token = ? WHERE id = ?", arguments: [DeviceToken.random(), id])
            }
            try db.create(index: "device_token", on: "device", columns: ["token"], unique: true)
            // A rotated token must stop working at the next snapshot.
            try db.execute(
                sql: """
                    CREATE TRIGGER device_token_revision AFTER UPDATE OF token ON device
                    BEGIN UPDATE revision SET value = value + 1 WHERE id = 1; END
                    """)
        }
        migrator.registerMigration("v8-bans") { db in
            // Addresses banned for guessing; the daemon writes them, `bans clear` deletes them.
            try db.create(table: "ban") { t in
                t.primaryKey("address", .text)
                t.column("until", .datetime).notNull()
                t.column("failures", .integer).notNull()
                t.column("createdAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v9-device-certificates") { db in
            // What the phone proved over HTTPS; shown to the admin, never used to render a file, so no revision trigger.
            try db.alter(table: "device") { t in
                t.add(column: "certificateSubject", .text)
                t.add(column: "certificateSeen", .datetime)
            }
        }
        return migrator
    }
}
