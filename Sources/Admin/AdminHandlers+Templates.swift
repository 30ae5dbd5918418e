import Foundation
import Hummingbird
import Provisioning

extension AdminHandlers {
    func addTemplateRoutes(to api: RouterGroup<BasicRequestContext>) {
        api.get("templates") { _, _ in try JSONResponse.make(try run { try store.templates() }.map(AdminModels.Template.init)) }
        api.post("templates") { request, _ in
            var request = request
            let input = try await request.decodeJSON(AdminModels.TemplateInput.self)
            let vendor = try vendor(input.vendor)
            guard try run({ try store.template(named: input.name.trimmingCharacters(in: .whitespaces)) }) == nil else {
                throw AdminError(.conflict, "a template named '\(input.name)' exists already", field: "name")
            }
            try checkTemplateSize(input.body)
            _ = try run(field: "body") {
                try store.saveTemplate(name: input.name, vendor: vendor, body: input.body, isVendorDefault: input.isVendorDefault ?? false)
            }
            guard let saved = try run({ try store.template(named: input.name.trimmingCharacters(in: .whitespaces)) }) else {
                throw AdminError(.internalServerError, "the template was not saved")
            }
            return try JSONResponse.make(AdminModels.Template(saved), status: .created)
        }
        api.get("templates/:id") { _, context in
            let id = try id(context)
            guard let template = try run({ try store.template(id: id) }) else {
                throw AdminError(.notFound, "no template with id \(id)", field: "id")
            }
            return try JSONResponse.make(AdminModels.Template(template))
        }
        api.put("templates/:id") { request, context in
            var request = request
            let id = try id(context)
            let input = try await request.decodeJSON(AdminModels.TemplateInput.self)
            let vendor = try vendor(input.vendor)
            try checkTemplateSize(input.body)
            let updated = try run {
                try store.updateTemplate(id: id, name: input.name, vendor: vendor, body: input.body, isVendorDefault: input.isVendorDefault ?? false)
            }
            return try JSONResponse.make(AdminModels.Template(updated))
        }
        api.delete("templates/:id") { _, context in
            let id = try id(context)
            guard let template = try run({ try store.template(id: id) }) else {
                throw AdminError(.notFound, "no template with id \(id)", field: "id")
            }
            try run { try store.removeTemplate(named: template.name) }
            return JSONResponse.noContent()
        }
        api.post("templates/examples") { _, _ in
            struct Added: Encodable { var added: [String] }
            return try JSONResponse.make(Added(added: try run { try store.loadExampleTemplates() }))
        }
        api.post("templates/preview") { request, _ in
            var request = request
            let input = try await request.decodeJSON(AdminModels.PreviewRequest.self)
            let vendor = try vendor(input.vendor)
            try checkTemplateSize(input.body)
            var context: RenderContext
            var problems: [String] = []
            if let text = input.mac, !text.isEmpty {
                let mac: MACAddress
                do { mac = try MACAddress(parsing: text) } catch {
                    throw AdminError(.unprocessableContent, "'\(text)' is not a MAC address", field: "mac")
                }
                _ = try device(mac)
                let snapshot = try await environment.maskedSnapshot(for: mac)
                if let known = snapshot.context(for: mac) {
                    context = known
                } else {
                    context = Self.sampleContext(snapshot.settings, mac: mac)
                    problems.append(
                        "\(mac) gets no file now (\(snapshot.status(of: mac)?.reason ?? "not in the served set yet")); shown with a sample account")
                }
            } else {
                context = Self.sampleContext(try environment.servedSettings(), mac: nil)
            }
            let rendered = ConfigRenderer.render(vendor: vendor, context: context, template: input.body)
            problems += rendered.unknownPlaceholders.map { "unknown placeholder {\($0)} left as it is" } + rendered.warnings
            return try JSONResponse.make(
                AdminModels.Preview(vendor: vendor, contentType: rendered.contentType, body: rendered.body, problems: problems)
            )
        }
        api.get("placeholders") { _, _ in
            try JSONResponse.make(Placeholder.allCases.map { AdminModels.Placeholder(name: "{\($0.rawValue)}", description: $0.meaning) })
        }
        api.get("uri-mappings") { _, _ in
            try JSONResponse.make(
                try run { try store.uriMappingSummaries() }.map { AdminModels.URIMapping(id: $0.id, path: "/" + $0.path, template: $0.template) })
        }
        api.post("uri-mappings") { request, _ in
            var request = request
            let input = try await request.decodeJSON(AdminModels.NewURIMapping.self)
            try run(field: "path") { try store.mapURI(input.path, toTemplate: input.template) }
            let normalised = try run(field: "path") { try URIMappingPath.normalise(input.path) }
            guard let created = try run({ try store.uriMappingSummaries() }).first(where: { $0.path == normalised }) else {
                throw AdminError(.internalServerError, "the mapping was not saved")
            }
            return try JSONResponse.make(
                AdminModels.URIMapping(id: created.id, path: "/" + created.path, template: created.template), status: .created)
        }
        api.delete("uri-mappings/:id") { _, context in
            let id = try id(context)
            try run { try store.unmapURI(id: id) }
            return JSONResponse.noContent()
        }
    }

    func checkTemplateSize(_ body: String) throws {
        guard body.utf8.count <= ProvisioningStore.maximumTemplateSize else {
            throw AdminError(.contentTooLarge, "the template is \(body.utf8.count) bytes; the limit is 256 KB", field: "body")
        }
    }

    /// A phone with a sample account, for previews of a template no phone uses yet.
    static func sampleContext(_ settings: PnPSettings, mac: MACAddress?) -> RenderContext {
        let sample = SIPCredentials(extensionNumber: "100", authUsername: "100", password: "********", displayName: "Sample User")
        return RenderContext(
            mac: mac ?? (try! MACAddress(parsing: "001565000001")), model: nil, settings: settings,
            lines: [LineAccount(line: 1, credentials: sample)],
            additionalParameters: AdditionalParameters(settings.additionalParameters)
        )
    }
}
