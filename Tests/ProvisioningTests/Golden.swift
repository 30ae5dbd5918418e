import Foundation
import Testing

/// Compares rendered text with a file under `Golden/`, byte for byte.
///
/// `RECORD_GOLDEN=1 swift test` writes missing files instead of failing, for a
/// person to review before committing; an existing file is never overwritten.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
                try actual.write(to: url, atomically: true, encoding: .utf8)
                Issue.record("recorded new golden file \(name); review it", sourceLocation: sourceLocation)
            } else {
                Issue.record("golden file \(name) is missing", sourceLocation: sourceLocation)
            }
            return
        }
        if actual != expected {
            let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let firstDifference = zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }
            let location =
                firstDifference.map { "line \($0.offset + 1): got '\($0.element.0)', want '\($0.element.1)'" }
                ?? "line counts differ: got \(actualLines.count), want \(expectedLines.count)"
            Issue.record("\(name) differs at \(location)\n--- got ---\n\(actual)", sourceLocation: sourceLocation)
        }
    }
}
