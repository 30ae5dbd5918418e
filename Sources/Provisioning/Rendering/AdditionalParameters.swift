import Foundation

/// The "Additional Parameters" text: vendor lines grouped in INI sections.
///
/// ```ini
/// [yealink]
/// features.headset_prior = 1
/// [grandstream]
/// <P3>caller_id</P3>
/// ```
/// A value runs from the first `=` to the end of the line, so it may hold
/// `]`, `=`, `;` and spaces. Grandstream and Htek sections also take the
/// P-code form `<P3>value</P3>`.
public struct AdditionalParameters: Hashable, Sendable {
    /// One `key = value` line of a section.
    public struct Entry: Hashable, Sendable {
        /// The key, trimmed (`features.headset_prior`, `P3`, `SIP1 Default DTMF`).
        public var key: String
        /// The value, trimmed of surrounding blanks.
        public var value: String
        /// True when the value was written as XML markup (`<P3>x</P3>`) and must not be escaped again.
        public var isMarkup: Bool
        /// The 1-based line of the text it came from.
        public var line: Int
    }

    /// A line that could not be understood, with its 1-based number.
    public struct Problem: Hashable, Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "additional parameters line \(line): \(message)" }
    }

    /// The sections a vendor generator reads, in the order they appeared.
    public static let knownSections: Set<String> = [
        "yealink", "snom", "snom-phone-settings", "fanvil", "fanvil-sip", "fanvil-tele", "fanvil-autoupdate",
        "grandstream", "htek", "debug",
    ]

    /// Entries per section name (lowercased).
    public private(set) var sections: [String: [Entry]] = [:]
    /// Lines skipped while parsing leniently.
    public private(set) var problems: [Problem] = []

    /// The entries of one section, in order.
    public func entries(_ section: String) -> [Entry] { sections[section] ?? [] }

    /// Whether `[debug] verbose = 1` is set.
    public var verbose: Bool {
        entries("debug").last(where: { $0.key.lowercased() == "verbose" }).map { ["1", "on", "true", "yes"].contains($0.value.lowercased()) }
            ?? false
    }

    /// Parses leniently: bad lines are skipped and listed in ``problems``.
    /// - Parameter text: The whole Additional Parameters text.
    public init(_ text: String) {
        var current: String?
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]"), !line.contains("=") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces).lowercased()
                if Self.knownSections.contains(name) {
                    current = name
                } else {
                    current = nil
                    problems.append(
                        Problem(line: lineNumber, message: "unknown section [\(name)]; known: \(Self.knownSections.sorted().joined(separator: ", "))")
                    )
                }
                continue
            }
            guard let section = current else {
                if !(problems.last.map { $0.message.hasPrefix("unknown section") } ?? false) {
                    problems.append(Problem(line: lineNumber, message: "'\(line)' is outside any [section]"))
                }
                continue
            }
            if let entry = Self.markupEntry(line, lineNumber: lineNumber), section == "grandstream" || section == "htek" {
                sections[section, default: []].append(entry)
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                problems.append(Problem(line: lineNumber, message: "'\(line)' has no '=' (expected key = value)"))
                continue
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else {
                problems.append(Problem(line: lineNumber, message: "'\(line)' has an empty key"))
                continue
            }
            sections[section, default: []].append(Entry(key: key, value: value, isMarkup: false, line: lineNumber))
        }
    }

    /// Parses strictly, for `settings set`: the first bad line is an error.
    /// - Parameter text: The whole Additional Parameters text.
    /// - Throws: ``StoreError/invalidValue(_:)`` naming the line number and what is wrong.
    public init(strict text: String) throws(StoreError) {
        self.init(text)
        if let problem = problems.first {
            throw .invalidValue(problem.description)
        }
    }

    /// `<P3>caller_id</P3>` or `<P47 para="x">v</P47>` as a key/value pair.
    private static func markupEntry(_ line: String, lineNumber: Int) -> Entry? {
        guard line.hasPrefix("<"), let close = line.firstIndex(of: ">") else { return nil }
        let open = line[line.index(after: line.startIndex)..<close]
        let name = open.prefix(while: { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" })
        guard !name.isEmpty, line.hasSuffix("</\(name)>") else { return nil }
        let valueStart = line.index(after: close)
        let valueEnd = line.index(line.endIndex, offsetBy: -(name.count + 3))
        guard valueStart <= valueEnd else { return nil }
        return Entry(key: String(name), value: String(line[valueStart..<valueEnd]), isMarkup: true, line: lineNumber)
    }
}
