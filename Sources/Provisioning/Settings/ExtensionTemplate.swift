/// The star-code dial pattern of the settings (`*123*200`), understood as a prefix and an extension length.
///
/// `*123*200` means: dial `*123*` then a 3-digit extension (the example
/// extension shows the length). Asterisk patterns work too: `*123*XXX`,
/// `_*123*XXX`, and `*123*.` for any length.
public struct ExtensionTemplate: Hashable, Sendable {
    /// What the user dials before the extension (`*123*`).
    public let prefix: String
    /// How many digits the extension has; nil for any length.
    public let length: Int?

    /// - Parameter template: The Extension Template setting.
    public init(_ template: String) {
        var text = Substring(template)
        if text.first == "_" { text.removeFirst() }
        let split = text.lastIndex(where: { $0 == "*" || $0 == "#" }).map(text.index(after:)) ?? text.startIndex
        prefix = String(text[..<split])
        let tail = text[split...]
        length = tail.contains(".") || tail.contains("!") ? nil : max(tail.count, 1)
    }

    /// The extension in a dialled number, or nil when it does not follow the template.
    public func extensionNumber(in dialled: String) -> String? {
        guard dialled.hasPrefix(prefix) else { return nil }
        let rest = dialled.dropFirst(prefix.count)
        guard !rest.isEmpty, rest.allSatisfy(\.isNumber), length.map({ rest.count == $0 }) ?? true else { return nil }
        return String(rest)
    }

    /// The dialplan pattern that matches the template (`_*123*XXX`).
    public var asteriskPattern: String {
        "_" + prefix + (length.map { String(repeating: "X", count: $0) } ?? "X.")
    }
}
