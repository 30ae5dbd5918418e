/// A text file handled line by line, keeping every line it does not touch byte for byte.
///
/// Vendor files are edited, not re-serialised: an admin's template keeps its
/// comments, order and spacing, and only the keys we set change.
struct LineDocument {
    var lines: [Substring]
    private let endsWithNewline: Bool

    init(_ text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        endsWithNewline = text.hasSuffix("\n")
        if endsWithNewline { lines.removeLast() }
        self.lines = lines
    }

    var text: String {
        var out = lines.joined(separator: "\n")
        if endsWithNewline || !lines.isEmpty { out += "\n" }
        return out
    }

    /// Replaces line `index`, keeping a trailing carriage return if the line had one.
    mutating func replace(_ index: Int, with line: String) {
        lines[index] = Substring(lines[index].hasSuffix("\r") ? line + "\r" : line)
    }

    mutating func insert(_ line: String, at index: Int) {
        lines.insert(Substring(line), at: index)
    }

    /// The line without surrounding blanks and carriage return.
    func trimmed(_ index: Int) -> Substring {
        var line = lines[index]
        while let last = line.last, last == "\r" || last == " " || last == "\t" { line.removeLast() }
        while let first = line.first, first == " " || first == "\t" { line.removeFirst() }
        return line
    }

    /// The leading blanks of line `index`.
    func indentation(_ index: Int) -> String {
        String(lines[index].prefix(while: { $0 == " " || $0 == "\t" }))
    }
}
