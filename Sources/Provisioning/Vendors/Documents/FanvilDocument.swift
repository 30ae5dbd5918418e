import Foundation

/// Fanvil's legacy text file: a `<<VOIP CONFIG FILE>>` header, top-level
/// `Key :value` lines, then `<NAME CONFIG MODULE>` sections of the same lines.
struct FanvilDocument {
    private var document: LineDocument

    init(_ text: String) {
        document = LineDocument(text)
    }

    var text: String { document.text }

    /// Formats one line the way Fanvil writes it: the key padded to 19 columns, then `:value`.
    static func line(_ key: String, _ value: String) -> String {
        let padded = key.count < 19 ? key.padding(toLength: 19, withPad: " ", startingAt: 0) : key + " "
        return padded + ":" + TextValue.singleLine(value)
    }

    /// Sets `key` inside `module` (`SIP CONFIG MODULE`), or in the top-level part when `module` is nil.
    mutating func set(_ key: String, _ value: String, module: String?) {
        let newLine = Self.line(key, value)
        guard let range = self.range(of: module) else {
            // The module does not exist yet: add it before the end marker, or at the end.
            let end = document.lines.indices.first(where: { document.trimmed($0).hasPrefix("<<END OF FILE") }) ?? document.lines.count
            document.insert(newLine, at: end)
            if let module { document.insert("<\(module)>", at: end) }
            return
        }
        var lastContent = range.lowerBound - 1
        for index in range {
            let line = document.trimmed(index)
            if !line.isEmpty { lastContent = index }
            guard let colon = line.firstIndex(of: ":") else { continue }
            var lineKey = line[..<colon]
            while lineKey.last == " " { lineKey.removeLast() }
            if lineKey == key {
                document.replace(index, with: newLine)
                return
            }
        }
        document.insert(newLine, at: lastContent + 1)
    }

    /// The lines of a module's body, or of the top-level part, as a half-open range.
    private func range(of module: String?) -> Range<Int>? {
        let lines = document.lines.indices
        let isHeader: (Int) -> Bool = { index in
            let line = document.trimmed(index)
            return line.hasPrefix("<") && !line.hasPrefix("<<VOIP")
        }
        let start: Int
        if let module {
            guard let header = lines.first(where: { document.trimmed($0) == "<\(module)>" }) else { return nil }
            start = header + 1
        } else {
            start = document.lines.first.map { $0.hasPrefix("<<") } == true ? 1 : 0
        }
        let end = (start..<document.lines.count).first(where: isHeader) ?? document.lines.count
        return start..<end
    }
}
