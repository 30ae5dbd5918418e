/// A `key = value` file (Yealink): set a key in place, or append it.
struct KeyValueDocument {
    private var document: LineDocument

    init(_ text: String) {
        document = LineDocument(text)
    }

    var text: String { document.text }

    /// Sets `key` to `value`: the first line holding the key is rewritten, later duplicates are dropped,
    /// and a new key goes at the end.
    mutating func set(_ key: String, _ value: String) {
        let line = "\(key) = \(TextValue.singleLine(value))"
        let matches = document.lines.indices.filter { self.key(at: $0) == Substring(key) }
        guard let first = matches.first else {
            document.insert(line, at: document.lines.count)
            return
        }
        document.replace(first, with: line)
        for index in matches.dropFirst().reversed() { document.lines.remove(at: index) }
    }

    private func key(at index: Int) -> Substring? {
        let line = document.trimmed(index)
        guard !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { return nil }
        var key = line[..<equals]
        while key.last == " " || key.last == "\t" { key.removeLast() }
        return key
    }
}
