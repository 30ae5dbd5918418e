import Foundation
import Hummingbird
import NIOCore
import Provisioning

extension AdminHandlers {
    func addFirmwareRoutes(to api: RouterGroup<BasicRequestContext>) {
        api.get("firmware") { _, _ in
            let settings = try run { try store.settings() }
            return try JSONResponse.make(try run { try FirmwareRepository(store: store).list() }.map { AdminModels.Firmware($0, settings: settings) })
        }
        api.post("firmware") { request, _ in
            let query = request.uri.queryParameters
            guard let vendorName = query["vendor"].map(String.init), !vendorName.isEmpty else {
                throw AdminError(.badRequest, "vendor is required", field: "vendor")
            }
            let vendor = try vendor(vendorName)
            let fileName = try fileName(request)
            let upload = try run(field: "file") {
                try FirmwareRepository(store: store).beginUpload(
                    fileName: fileName, vendor: vendor, model: query["model"].map(String.init) ?? "",
                    version: query["version"].map(String.init) ?? "", notes: query["notes"].map(String.init) ?? "",
                    declaredSize: try declaredSize(request)
                )
            }
            let record = try await receive(request, into: upload)
            return try JSONResponse.make(AdminModels.Firmware(record, settings: try run { try store.settings() }), status: .created)
        }
        api.put("firmware/:id/file") { request, context in
            let id = try id(context)
            let fileName = try fileName(request)
            let upload = try run(field: "file") {
                try FirmwareRepository(store: store).beginReplacement(id: id, fileName: fileName, declaredSize: try declaredSize(request))
            }
            let record = try await receive(request, into: upload)
            return try JSONResponse.make(AdminModels.Firmware(record, settings: try run { try store.settings() }))
        }
        api.delete("firmware/:id") { _, context in
            let id = try id(context)
            try run { try FirmwareRepository(store: store).remove(id: id) }
            return JSONResponse.noContent()
        }
    }

    private func fileName(_ request: Request) throws -> String {
        guard let name = request.uri.queryParameters["filename"].map(String.init), !name.isEmpty else {
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
                try upload.write(Data(buffer.readableBytesView))
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
