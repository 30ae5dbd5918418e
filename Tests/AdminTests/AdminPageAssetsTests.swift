import Foundation
import TestHTTP
import Testing

/// The page's files as the admin listener serves them: every module the page imports, with the
/// type browsers demand of module scripts, and nothing outside the Web folder.
@Suite struct AdminPageAssetsTests {
    /// `./name.js` in `import … from './name.js'` and `import './name.js'`.
    static func imports(of source: String) -> [String] {
        source.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("import "), let end = line.lastIndex(of: "'") else { return nil }
            let head = line[..<end]
            guard let start = head.lastIndex(of: "'") else { return nil }
            return String(head[head.index(after: start)...])
        }
    }

    @Test func everyModuleThePageImportsIsServedAsJavaScript() async throws {
        let h = try await AdminAPITests.Harness()
        let page = try await Curl.fetch(h.base + "/")
        #expect(page.status == 200)
        #expect(page.body.contains(#"<script type="module" src="js/main.js"></script>"#))
        var pending = ["/js/main.js"]
        var served: Set<String> = []
        while let path = pending.popLast() {
            guard served.insert(path).inserted else { continue }
            let module = try await Curl.fetch(h.base + path)
            #expect(module.status == 200, "\(path) answered \(module.status)")
            #expect(module.headers["content-type"] == "text/javascript; charset=utf-8", "\(path): \(module.headers["content-type"] ?? "no type")")
            for name in Self.imports(of: module.body) {
                #expect(name.hasPrefix("./") && name.hasSuffix(".js"), "\(path) imports \(name)")
                pending.append("/js/" + name.dropFirst(2))
            }
        }
        #expect(served.count > 10, "modules: \(served.sorted())")
        #expect(try await Curl.fetch(h.base + "/app.js").status == 404)
    }

    @Test func theOtherPageFilesKeepTheirPathsAndTypes() async throws {
        let h = try await AdminAPITests.Harness()
        for (path, type) in [
            ("/", "text/html; charset=utf-8"), ("/index.html", "text/html; charset=utf-8"), ("/app.css", "text/css; charset=utf-8"),
            ("/openapi.json", "application/json"),
        ] {
            let response = try await Curl.fetch(h.base + path)
            #expect(response.status == 200 && response.headers["content-type"] == type, "\(path): \(response.status) \(response.headers)")
        }
        // A path that climbs out of a folder names no file, even when it would land on one.
        #expect(try await Curl.fetch(h.base + "/js/../index.html", ["--path-as-is"]).status == 404)
        #expect(try await Curl.fetch(h.base + "/js/../../Package.swift", ["--path-as-is"]).status == 404)
    }
}
