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
            // Checked one by one first, so the error names the field; then written together.
            for (key, value) in changes {
                do {
                    try key.validate(value)
                } catch let error as StoreError {
                    throw AdminError(error, field: key.rawValue)
                }
            }
            try run { try store.set(changes) }
            return try JSONResponse.make(try settingsJSON())
        }
        api.get("phonebook/sources") { _, _ in
            try JSONResponse.make(try run { try store.phonebookSources() }.map { AdminModels.PhonebookSource(id: $0.id, url: $0.url, name: $0.name) })
        }
        api.post("phonebook/sources") { request, _ in
            var request = request
            let input = try await request.decodeJSON(AdminModels.NewPhonebookSource.self)
            if try run(body: { try store.phonebookSources() }).contains(where: { $0.url == input.url }) {
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
