import Foundation
import Hummingbird
import Provisioning

extension AdminHandlers {
    func addSettingsRoutes(to api: RouterGroup<BasicRequestContext>) {
        api.get("settings") { _, _ in try JSONResponse.make(try settingsJSON()) }
        api.patch("settings") { request, _ in
            var request = request
            let input = try await request.decodeJSON([String: String].self)
            var changes: [(SettingKey, String)] = []
            for (name, value) in input.sorted(by: { $0.key < $1.key }) {
                guard let key = SettingKey(rawValue: name) else {
                    throw AdminError(.unprocessableContent, "'\(name)' is not a setting", field: name)
                }
                changes.append((key, value))
            }
            do {
                try store.set(changes)
            } catch let error as StoreError {
                // The store checks every value before writing any; name the first one it refused.
                let field = changes.first { key, value in (try? key.validate(value)) == nil }?.0.rawValue
                throw AdminError(error, field: field)
            }
            return try JSONResponse.make(try settingsJSON())
        }
        api.get("asterisk-conf") { request, _ in
            // The dialplan and guest endpoint `asterisk-conf` writes; the guest secret only when asked for.
            let agi = query(request, "agi") ?? "127.0.0.1:4573"
            guard agi.contains(":"), agi.utf8.allSatisfy({ $0.isASCIIAlphanumericOrHostPunctuation }) else {
                throw AdminError(.badRequest, "agi '\(agi)' must be host:port", field: "agi")
            }
            let files = try run { try store.asteriskConfigFiles(agiAddress: agi, showSecret: query(request, "show-secrets") == "true") }
            struct File: Encodable {
                var name: String
                var contents: String
            }
            return try JSONResponse.make(files.map { File(name: $0.name, contents: $0.contents) })
        }
        api.get("phonebook/sources") { _, _ in
            try JSONResponse.make(try run { try store.phonebookSources() }.map { AdminModels.PhonebookSource(id: $0.id, url: $0.url, name: $0.name) })
        }
        api.post("phonebook/sources") { request, _ in
            var request = request
            let input = try await request.decodeJSON(AdminModels.NewPhonebookSource.self)
            if try run({ try store.phonebookSources() }).contains(where: { $0.url == input.url }) {
                throw AdminError(.conflict, "phonebook source \(input.url) exists already", field: "url")
            }
            let record = try run(field: "url") { try store.addPhonebookSource(url: input.url, name: input.name ?? "") }
            return try JSONResponse.make(AdminModels.PhonebookSource(id: record.id, url: record.url, name: record.name), status: .created)
        }
        api.delete("phonebook/sources/:id") { _, context in
            let id = try id(context)
            try run { try store.removePhonebookSource(id: id) }
            return JSONResponse.noContent()
        }
        api.get("phonebook/entries") { _, _ in
            try JSONResponse.make(environment.catalog.snapshot.phonebookEntries.map { AdminModels.PhonebookEntry(name: $0.name, number: $0.number) })
        }
    }

    func settingsJSON() throws -> [String: String] {
        let values = try run { try store.settings() }.values
        return Dictionary(uniqueKeysWithValues: values.map { ($0.key.rawValue, $0.value) })
    }
}

extension UInt8 {
    /// Letters, digits and the punctuation of a host:port (`.`, `-`, `:`, `[`, `]`).
    fileprivate var isASCIIAlphanumericOrHostPunctuation: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) || ".-:[]".utf8.contains(self)
    }
}
