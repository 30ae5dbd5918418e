import Foundation
import Hummingbird
import Provisioning

extension AdminHandlers {
    func addStatusRoutes(to api: RouterGroup<BasicRequestContext>) {
        api.get("status") { _, _ in
            let ami = environment.amiState()
            return try JSONResponse.make(
                AdminModels.Status(
                    version: environment.version, revision: try run { try store.revision() }, devices: try run { try store.devices().count },
                    ami: .init(enabled: ami.enabled, connected: ami.connected)
                )
            )
        }
        api.get("bans") { _, _ in
            try JSONResponse.make(
                try run { try store.bans() }.map { AdminModels.Ban(address: $0.address, until: $0.until, failures: $0.failures, since: $0.createdAt) }
            )
        }
        api.delete("bans/:address") { _, context in
            let address = context.parameters.get("address") ?? ""
            try run { try store.clearBan(address, actor: "admin-api") }
            return JSONResponse.noContent()
        }
        api.get("audit") { request, _ in
            let limitText = query(request, "limit")
            let limit = limitText.map { Int($0) } ?? 100
            guard let limit, (1...1000).contains(limit) else {
                throw AdminError(.badRequest, "limit must be a number from 1 to 1000", field: "limit")
            }
            let entries = try run { try store.auditLog(limit: limit) }.map {
                AdminModels.AuditEntry(
                    at: $0.at, mac: (try? MACAddress(parsing: $0.mac).description) ?? $0.mac, line: $0.line, action: $0.action,
                    extension: $0.extensionNumber, previousExtension: $0.previousExtension, actor: $0.actor, detail: $0.detail
                )
            }
            return try JSONResponse.make(entries)
        }
    }

    func device(_ mac: MACAddress) throws -> AdminModels.Device {
        guard let summary = try run({ try store.device(mac: mac) }) else { throw AdminError(.notFound, "no device with MAC \(mac)", field: "mac") }
        return AdminModels.Device(summary, snapshot: environment.catalog.snapshot, isRegistered: environment.isRegistered)
    }

    func addDeviceRoutes(to api: RouterGroup<BasicRequestContext>) {
        api.get("devices") { _, _ in
            let snapshot = environment.catalog.snapshot
            let devices = try run { try store.devices() }.map { AdminModels.Device($0, snapshot: snapshot, isRegistered: environment.isRegistered) }
            return try JSONResponse.make(devices)
        }
        api.post("devices") { request, _ in
            var request = request
            let input = try await request.decodeJSON(AdminModels.NewDevice.self)
            let mac: MACAddress
            do {
                mac = try MACAddress(parsing: input.mac)
            } catch {
                throw AdminError(.unprocessableContent, "'\(input.mac)' is not a MAC address", field: "mac")
            }
            let vendor = try input.vendor.flatMap { $0.isEmpty ? nil : try self.vendor($0) }
            let template = input.template.flatMap { $0.isEmpty ? nil : $0 }
            let model = input.model.flatMap { $0.isEmpty ? nil : $0 }
            let ext = input.extension.flatMap { $0.isEmpty ? nil : $0 }
            if let ext { try await checkKnown(ext) }
            _ = try run {
                try store.addDevice(mac: mac, vendor: vendor, model: model, templateName: template, extensionNumber: ext, actor: "admin-api")
            }
            return try JSONResponse.make(try device(mac), status: .created)
        }
        api.get("devices/:mac") { _, context in try JSONResponse.make(try device(try mac(context))) }
        api.patch("devices/:mac") { request, context in
            var request = request
            let mac = try mac(context)
            let change = try await request.decodeJSON(AdminModels.DeviceChange.self)
            _ = try device(mac)
            let vendor = try change.vendor.flatMap { $0.isEmpty ? nil : try self.vendor($0) }
            if let model = change.model { try run(field: "model") { _ = try PhoneModel.normalised(model) } }
            // One store call for every field, as `device set` makes: all of it is written, or nothing.
            let template = change.template.map { $0.flatMap { $0.isEmpty ? nil : $0 } }
            try run(field: template != nil ? "template" : "vendor") {
                try store.updateDevice(mac: mac, vendor: vendor, model: change.model, template: template)
            }
            return try JSONResponse.make(try device(mac))
        }
        api.delete("devices/:mac") { _, context in
            let mac = try mac(context)
            try run { try store.removeDevice(mac: mac, actor: "admin-api") }
            return JSONResponse.noContent()
        }
        api.put("devices/:mac/lines/:line") { request, context in
            var request = request
            let mac = try mac(context)
            let line = try self.line(context)
            let input = try await request.decodeJSON(AdminModels.LineChange.self)
            _ = try device(mac)
            try await checkKnown(input.extension)
            try run(field: "extension") { try store.bind(mac: mac, extensionNumber: input.extension, line: line, actor: "admin-api") }
            return try JSONResponse.make(try device(mac))
        }
        api.delete("devices/:mac/lines/:line") { _, context in
            let mac = try mac(context)
            let line = try self.line(context)
            try run { try store.unbind(mac: mac, line: line, actor: "admin-api") }
            return try JSONResponse.make(try device(mac))
        }
        api.get("devices/:mac/keys") { _, context in
            let mac = try mac(context)
            return try JSONResponse.make(try run { try store.functionKeys(mac: mac) }.map(AdminModels.Key.init))
        }
        api.put("devices/:mac/keys") { request, context in
            var request = request
            let mac = try mac(context)
            let keys = try await request.decodeJSON([AdminModels.Key].self)
            try run(field: "keys") { try store.setFunctionKeys(mac: mac, keys.map(\.functionKey), actor: "admin-api") }
            return try JSONResponse.make(try run { try store.functionKeys(mac: mac) }.map(AdminModels.Key.init))
        }
        api.post("devices/:mac/reboot") { _, context in
            let mac = try mac(context)
            _ = try device(mac)
            switch await environment.reboot(mac) {
            case .sent(let via, let detail):
                return try JSONResponse.make(AdminModels.Reboot(sent: true, via: via, detail: detail), status: .accepted)
            case .failed(let reason):
                throw AdminError(.serviceUnavailable, "cannot reach \(mac): \(reason)")
            }
        }
        api.get("devices/:mac/url") { _, context in
            let mac = try mac(context)
            let token = try run { try store.token(mac: mac) }
            return try JSONResponse.make(
                AdminModels.PrivateURL(mac: mac.description, url: environment.catalog.snapshot.settings.provisioningURL(token: token)))
        }
        api.post("devices/:mac/url/rotate") { _, context in
            let mac = try mac(context)
            let token = try run { try store.rotateToken(mac: mac) }
            return try JSONResponse.make(
                AdminModels.PrivateURL(mac: mac.description, url: try run { try store.settings() }.provisioningURL(token: token)))
        }
        api.get("devices/:mac/preview") { request, context in
            let mac = try mac(context)
            _ = try device(mac)
            let vendor = try query(request, "vendor").map { try self.vendor($0) }
            let snapshot = try await environment.maskedSnapshot(for: mac)
            guard let (chosen, file) = snapshot.file(for: mac, vendor: vendor) else {
                let status = snapshot.status(of: mac)
                throw AdminError(
                    .conflict,
                    "\(mac) gets no file now"
                        + (status?.reason.map { ": \($0)" } ?? (vendor == nil ? ": its vendor is not known; pass ?vendor=" : ""))
                )
            }
            return try JSONResponse.make(
                AdminModels.Preview(vendor: chosen, contentType: file.contentType, body: String(decoding: file.body, as: UTF8.self), problems: [])
            )
        }
    }

    /// Refuses an extension the credential source does not have; when the source cannot answer
    /// (Asterisk not synced yet) the binding is allowed and the phone waits for its credentials.
    func checkKnown(_ ext: String) async throws {
        guard let known = try? await environment.credentials.credentials(for: [ext]) else { return }
        guard known[ext] != nil else {
            throw AdminError(.unprocessableContent, "extension \(ext) has no account in the credential source", field: "extension")
        }
    }

    func line(_ context: BasicRequestContext) throws -> Int {
        let text = try context.parameters.require("line")
        guard let line = Int(text), (1...16).contains(line) else { throw AdminError(.badRequest, "line '\(text)' must be 1 to 16", field: "line") }
        return line
    }
}
