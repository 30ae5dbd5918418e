import Foundation

/// The reference AMI captures, kept byte for byte under `Vectors/`.
enum Vectors {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors")

    /// The file without its `# SOURCE` comment lines, with LF turned into CRLF as on the wire.
    static func wire(_ name: String, keepingBlocks keep: (String) -> Bool = { _ in true }) throws -> String {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("#") && !$0.hasPrefix("(") }
        let blocks = lines.joined(separator: "\n").components(separatedBy: "\n\n").filter { !$0.isEmpty && keep($0) }
        return blocks.map { $0.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n\r\n" }.joined()
    }
}
