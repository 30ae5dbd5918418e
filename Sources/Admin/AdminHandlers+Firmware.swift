import Foundation
import Hummingbird
import NIOCore
import Provisioning

extension AdminHandlers {
    func addFirmwareRoutes(to api: RouterGroup<BasicRequestContext>) {
        api.get("firmware") { _, _ in
            let settings = try environment.servedSettings()
            return try JSONResponse.make(try run { try FirmwareRepository(store: store).list() }.map { AdminModels.Firmware($0, settings: settings) })
        }
        api.post("firmware") { request, _ in
            guard let vendorName = query(request, "vendor"), !vendorName.isEmpty else {
                throw AdminError(.badRequest, "vendor is required", field: "vendor")
            }
            let vendor = try vendor(vendorName)
            let fileName = try fileName(request)
            let upload = try run(field: "file") {
                try FirmwareRepository(store: store).beginUpload(
                    fileName: fileName, vendor: vendor, model: query(request, "model") ?? "",
                    version: query(request, "version") ?? "", notes: query(request, "notes") ?? "",
                    declaredSize: try declaredSize(request)
                )
            }
            let record = try await receive(request, into: upload)
            return try JSONResponse.make(AdminModels.Firmware(record, settings: try environment.servedSettings()), status: .created)
        }
        api.put("firmware/:id/file") { request, context in
            let id = try id(context)
            let fileName = try fileName(request)
            let upload = try run(field: "file") {
                try FirmwareRepository(store: store).beginReplacement(id: id, fileName: fileName, declaredSize: try declaredSize(request))
            }
            let record = try await receive(request, into: upload)
            return try JSONResponse.make(AdminModels.Firmware(record, settings: try environment.servedSettings()))
        }
        api.patch("firmware/:id") { request, context in
            var request = request
            let id = try id(context)
            let change = try await request.decodeJSON(AdminModels.FirmwareChange.self)
            for (field, value) in [("version", change.version), ("notes", change.notes)] {
                if let value { try run(field: field) { try FirmwareRepository.checkText(value, field: field) } }
            }
            if let model = change.model { try run(field: "model") { _ = try PhoneModel.normalised(model) } }
            let record: FirmwareRecord
            do throws(StoreError) {
                record = try FirmwareRepository(store: store).update(id: id, version: change.version, notes: change.notes, model: change.model)
            } catch {
                // The values were checked above: what is left is an unknown row or a model another row is for.
                switch error {
                case .notFound: throw AdminError(error, field: "id")
                case .conflict: throw AdminError(error, field: "model")
                default: throw AdminError(error)
                }
            }
            return try JSONResponse.make(AdminModels.Firmware(record, settings: try environment.servedSettings()))
        }
        api.delete("firmware/:id") { _, context in
            let id = try id(context)
            try run { try FirmwareRepository(store: store).remove(id: id) }
            return JSONResponse.noContent()
        }
    }

    private func fileName(_ request: Request) throws -> String {
        guard let name = query(request, "filename"), !name.isEmpty else {
            throw AdminError(.badRequest, "filename is required", field: "filename")
        }
        return name
    }

    /// Content-Length, when the client sent one; chunked uploads are checked as they arrive.
    private func declaredSize(_ request: Request) throws(StoreError) -> Int64? {
        guard let text = request.headers[.contentLength] else { return nil }
        guard let size = Int64(text), size >= 0 else { throw .invalidValue("Content-Length '\(text)' is not a size") }
        return size
    }

    /// Streams the body into the upload; a dropped connection or a crossed limit cancels it, leaving nothing.
    private func receive(_ request: Request, into upload: FirmwareUpload) async throws -> FirmwareRecord {
        do {
            for try await buffer in request.body {
                try buffer.withUnsafeReadableBytes { try upload.write($0) }
            }
        } catch let error as StoreError {
            upload.cancel()
            throw AdminError(error, field: "file")
        } catch {
            upload.cancel()
            throw AdminError(.badRequest, "the upload broke off: \(error)", field: "file")
        }
        return try run(field: "file") { try upload.finish() }
    }
}
