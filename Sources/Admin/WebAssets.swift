public import Foundation
public import Hummingbird
import NIOCore

/// The admin page's files, read once from the package's resources.
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

    /// Loads `index.html`, `app.js`, `app.css` and `openapi.json`.
    /// - Throws: ``WebAssetsError`` when a file is missing from the build.
    public static func load() throws -> WebAssets {
        let types = ["html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8", "json": "application/json"]
        var files: [String: Asset] = [:]
        for (path, name) in [("/", "index.html"), ("/index.html", "index.html"), ("/app.js", "app.js"), ("/app.css", "app.css"), ("/openapi.json", "openapi.json")] {
            let (base, ext) = (String(name.prefix { $0 != "." }), String(name.drop { $0 != "." }.dropFirst()))
            guard let resource = Bundle.module.url(forResource: base, withExtension: ext, subdirectory: "Web"),
                let data = try? Data(contentsOf: resource)
            else {
                throw WebAssetsError(name: name)
            }
            files[path] = Asset(bytes: ByteBuffer(bytes: data), contentType: types[ext] ?? "application/octet-stream")
        }
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
