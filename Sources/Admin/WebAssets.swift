public import Foundation
import Hummingbird
import NIOCore

/// The admin page's files and the API's OpenAPI description, read once from the package's resources.
public struct WebAssets: Sendable {
    struct Asset: Sendable {
        var bytes: ByteBuffer
        var contentType: String

        func response() -> Response {
            Response(
                status: .ok, headers: [.contentType: contentType, .cacheControl: "no-cache"], body: ResponseBody(byteBuffer: bytes)
            )
        }
    }

    /// URL path to file.
    let files: [String: Asset]

    /// Content types by file extension; a file of any other kind in the Web folder is not served.
    static let contentTypes = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8", "json": "application/json",
    ]

    /// The files the page cannot work without.
    static let required = ["index.html", "app.css", "js/main.js"]

    /// Loads every HTML, JavaScript, CSS and JSON file of the Web folder, each at its path below it
    /// (`/app.css`, `/js/main.js`), and `index.html` also at `/`.
    /// - Throws: ``WebAssetsError`` when the folder or a required file is missing from the build.
    public static func load() throws -> WebAssets {
        guard let folder = Bundle.module.url(forResource: "Web", withExtension: nil) else {
            throw WebAssetsError(name: "Web folder")
        }
        let manager = FileManager.default
        let names = (try? manager.subpathsOfDirectory(atPath: folder.path)) ?? []
        var files: [String: Asset] = [:]
        for name in names.sorted() {
            // Paths become routes: nothing that climbs out of the folder, no hidden files.
            let components = name.split(separator: "/")
            let url = folder.appendingPathComponent(name)
            guard !components.contains(where: { $0.hasPrefix(".") }), let type = contentTypes[url.pathExtension] else { continue }
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            guard let data = try? Data(contentsOf: url) else { throw WebAssetsError(name: name) }
            files["/" + components.joined(separator: "/")] = Asset(bytes: ByteBuffer(bytes: data), contentType: type)
        }
        for name in required where files["/" + name] == nil {
            throw WebAssetsError(name: name)
        }
        files["/"] = files["/index.html"]
        // The API description lives apart from the page: it describes the API, not the page.
        guard let description = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "OpenAPI"),
            let data = try? Data(contentsOf: description)
        else {
            throw WebAssetsError(name: "OpenAPI/openapi.json")
        }
        files["/openapi.json"] = Asset(bytes: ByteBuffer(bytes: data), contentType: "application/json")
        return WebAssets(files: files)
    }

    /// The OpenAPI document's bytes.
    public var openAPIDocument: Data {
        files["/openapi.json"].map { Data($0.bytes.readableBytesView) } ?? Data()
    }
}

/// A page file is missing from the package's resources.
public struct WebAssetsError: Error, CustomStringConvertible {
    public let name: String
    public var description: String { "the admin page's \(name) is missing from the build's resources" }
}
