import Foundation

/// An XML settings file written one element per line (Snom, Grandstream, Htek):
/// set an element's content in place, or insert a new element into a container.
///
/// Vendor provisioning files are flat lists of `<name attrs>value</name>` lines
/// inside one or two containers; editing them line-wise keeps a template's own
/// layout and comments untouched.
struct XMLLineDocument {
    private var document: LineDocument

    init(_ text: String) {
        document = LineDocument(text)
    }

    var text: String { document.text }

    /// Sets the content of the direct child `name` of `container` (matching `idx` when given).
    /// - Parameters:
    ///   - name: The element name (`user_host`, `P47`).
    ///   - idx: The `idx` attribute to match, for per-line Snom settings.
    ///   - content: The new content, already escaped.
    ///   - container: The element whose direct children are searched (`settings`, `phone-settings`, `config`).
    ///   - insertBefore: A direct child a new element goes in front of, when present (`phone-settings`).
    ///   - newElement: The line to insert, without indentation, when no element matched.
    ///   - replacingElement: Replace a matched element's whole line with `newElement` (its attributes change too).
    /// - Returns: False when the container does not exist.
    @discardableResult
    mutating func set(
        _ name: String,
        idx: String? = nil,
        content: String,
        in container: String,
        insertBefore: String? = nil,
        newElement: String,
        replacingElement: Bool = false
    ) -> Bool {
        guard let (open, close) = containerRange(container) else { return false }
        var depth = 0
        var lastChild: Int?
        var anchor: Int?
        for index in (open + 1)..<close {
            let line = document.trimmed(index)
            guard line.hasPrefix("<"), !line.hasPrefix("<!--"), !line.hasPrefix("<?") else { continue }
            if line.hasPrefix("</") {
                depth -= 1
                if depth == 0 { lastChild = index }
                continue
            }
            let elementName = Self.elementName(line)
            let opensBlock = !line.hasSuffix("/>") && !line.contains("</")
            if depth == 0 {
                if let insertBefore, elementName == insertBefore, anchor == nil { anchor = index }
                if elementName == Substring(name), idx == nil || Self.attribute("idx", in: line).map(String.init) == idx {
                    if replacingElement, !opensBlock {
                        document.replace(index, with: document.indentation(index) + newElement)
                        return true
                    }
                    if let rewritten = Self.replacingContent(of: document.lines[index], name: name, with: content) {
                        document.replace(index, with: rewritten)
                        return true
                    }
                }
                if !opensBlock { lastChild = index }
            }
            if opensBlock { depth += 1 }
        }
        let at = anchor ?? close
        let indent = lastChild.map { document.indentation($0) } ?? (document.indentation(open) + "    ")
        document.insert(indent + newElement, at: at)
        return true
    }

    /// Adds an empty `<name>` block at the end of `parent` unless one exists.
    mutating func ensureContainer(_ name: String, openTag: String, in parent: String) {
        guard containerRange(name) == nil, let (open, close) = containerRange(parent) else { return }
        let indent = document.indentation(open) + "    "
        document.insert(indent + "</\(name)>", at: close)
        document.insert(indent + openTag, at: close)
    }

    /// The lines holding `<container ...>` and `</container>`.
    private func containerRange(_ container: String) -> (Int, Int)? {
        guard
            let open = document.lines.indices.first(where: {
                let line = document.trimmed($0)
                return line.hasPrefix("<\(container)") && Self.elementName(line) == container && !line.hasSuffix("/>")
            })
        else { return nil }
        guard let close = (open + 1..<document.lines.count).first(where: { document.trimmed($0).hasPrefix("</\(container)>") }) else {
            return nil
        }
        return (open, close)
    }

    static func elementName(_ line: Substring) -> Substring {
        line.dropFirst().prefix(while: { !$0.isWhitespace && $0 != ">" && $0 != "/" })
    }

    static func attribute(_ attribute: String, in line: Substring) -> Substring? {
        guard let tagEnd = line.firstIndex(of: ">") else { return nil }
        let tag = line[..<tagEnd]
        guard let range = tag.range(of: " \(attribute)=\"") else { return nil }
        let rest = tag[range.upperBound...]
        guard let quote = rest.firstIndex(of: "\"") else { return nil }
        return rest[..<quote]
    }

    /// `<a x="1">old</a>` becomes `<a x="1">new</a>`; `<a x="1"/>` becomes `<a x="1">new</a>`.
    static func replacingContent(of line: Substring, name: String, with content: String) -> String? {
        guard let tagEnd = line.firstIndex(of: ">") else { return nil }
        let prefix = line[...tagEnd]
        if prefix.hasSuffix("/>") {
            return String(prefix.dropLast(2)) + ">" + content + "</\(name)>"
        }
        var body = line[line.index(after: tagEnd)...]
        while body.last == "\r" { body.removeLast() }
        guard body.hasSuffix("</\(name)>") else { return nil }
        return String(prefix) + content + "</\(name)>"
    }
}
