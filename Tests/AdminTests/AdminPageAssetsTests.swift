import Foundation
import TestHTTP
import Testing

/// The page's files as the admin listener serves them: each at its path with its type, and
/// nothing outside the Web folder.
@Suite struct AdminPageAssetsTests {
    @Test func thePageFilesKeepTheirPathsAndTypes() async throws {
        let h = try await AdminAPITests.Harness()
        for (path, type) in [
            ("/", "text/html; charset=utf-8"), ("/index.html", "text/html; charset=utf-8"), ("/app.css", "text/css; charset=utf-8"),
            ("/openapi.json", "application/json"), ("/app.js", "text/javascript; charset=utf-8"),
        ] {
            let response = try await Curl.fetch(h.base + path)
            #expect(response.status == 200 && response.headers["content-type"] == type, "\(path): \(response.status) \(response.headers)")
        }
        // A path that climbs out of a folder names no file, even when it would land on one.
        #expect(try await Curl.fetch(h.base + "/js/../index.html", ["--path-as-is"]).status == 404)
        #expect(try await Curl.fetch(h.base + "/js/../../Package.swift", ["--path-as-is"]).status == 404)
    }
}
