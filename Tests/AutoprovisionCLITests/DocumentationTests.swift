import Admin
import Foundation
import Provisioning
import TestCLI
import Testing

/// The README and `docs/` against the binary: every command line, option, setting key,
/// placeholder and API route they name must exist, so the docs cannot drift from the code.
@Suite struct DocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// README.md and every Markdown file under docs/, as (name, text).
    static func documents() throws -> [(String, String)] {
        let docs = root.appendingPathComponent("docs")
        let names = try FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".md") }.sorted()
        return try [("README.md", String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8))]
            + names.map { ("docs/\($0)", try String(contentsOf: docs.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// The text a reader would type: inline code spans and the lines of fenced blocks.
    static func codeFragments(_ markdown: String) -> [String] {
        var fragments: [String] = []
        // nil outside a fence; inside, whether the block is something a reader types (no
        // language, or a shell) rather than a diagram or a file (```text, ```ini).
        var fence: Bool?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                fence = fence == nil ? ["", "sh", "bash", "shell", "console"].contains(trimmed.dropFirst(3).lowercased()) : nil
                continue
            }
            if let typed = fence {
                if typed { fragments.append(String(line)) }
            } else {
                let parts = line.split(separator: "`", omittingEmptySubsequences: false)
                fragments += stride(from: 1, to: parts.count, by: 2).map { String(parts[$0]) }
            }
        }
        return fragments
    }

    /// Each `autoprovision …` invocation in a fragment, as its words up to a shell operator
    /// or the end of a `$( … )`. Shell expansions (`"$@"`, `$FILE`) are values, not words to check.
    static func invocations(in fragment: String) -> [[String]] {
        var result: [[String]] = []
        var current: [String]?
        for word in fragment.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) {
            // Inside an invocation `autoprovision` is a value (`--ami-user autoprovision`).
            if current == nil, word == "autoprovision" || word.hasSuffix("/autoprovision") {
                current = []
                continue
            }
            guard current != nil else { continue }
            if ["|", "||", "&&", ">", "<", "#", "\\"].contains(word) || word.hasPrefix("2>") {
                if let current, !current.isEmpty { result.append(current) }
                current = nil
                continue
            }
            let closing = word.firstIndex { $0 == ";" || $0 == ")" || $0 == "`" }
            let kept = String(word[..<(closing ?? word.endIndex)])
            if !kept.isEmpty, !kept.hasPrefix("$"), !kept.hasPrefix("\"$") { current?.append(kept) }
            if closing != nil {
                if let current, !current.isEmpty { result.append(current) }
                current = nil
            }
        }
        if let current, !current.isEmpty { result.append(current) }
        return result
    }

    @Test func everyCommandLineInTheDocsParses() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let dump = try await cli.run(["--experimental-dump-help"])
        #expect(dump.status == 0, "\(dump.stderr)")
        let tree = try JSONDecoder().decode(HelpDump.self, from: Data(dump.stdout.utf8)).command

        var checked = 0
        var problems: [String] = []
        for (name, text) in try Self.documents() {
            for fragment in Self.codeFragments(text) {
                for words in Self.invocations(in: fragment) {
                    checked += 1
                    if let problem = tree.check(words) { problems.append("\(name): `autoprovision \(words.joined(separator: " "))`: \(problem)") }
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        #expect(checked > 20, "the docs name only \(checked) command lines; the extraction is broken")
        // The check itself rejects what the docs once said.
        #expect(tree.check(["settings", "list"]) != nil)
        #expect(tree.check(["settings", "set", "no-such-key", "1"]) != nil)
        #expect(tree.check(["device", "add", "MAC", "--no-such-flag"]) != nil)
        #expect(tree.check(["device", "add", "MAC", "--extension", "204"]) == nil)
    }

    @Test func everyPlaceholderInTheDocsExists() async throws {
        let known = Set(Placeholder.allCases.map { "{\($0.rawValue)}" })
        let pattern = try Regex(#"\{[A-Z][A-Z0-9_]*\}"#)
        var seen: Set<String> = []
        for (name, text) in try Self.documents() {
            for match in text.matches(of: pattern) {
                let placeholder = String(text[match.range])
                seen.insert(placeholder)
                #expect(known.contains(placeholder), "\(name) names \(placeholder), which templates do not know")
            }
        }
        #expect(seen.count >= 4, "the docs name only \(seen.sorted()); the extraction is broken")
    }

    @Test func theAPITableMatchesTheRoutes() async throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docs/admin-api.md"), encoding: .utf8)
        let row = try Regex(#"^\| (GET|POST|PUT|PATCH|DELETE) \| `(/api/[^`?]*)"#).anchorsMatchLineEndings()
        let documented = Set(
            text.matches(of: row).map { match in
                let line = String(text[match.range]).split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                return "\(line[0]) \(line[1].trimmingCharacters(in: CharacterSet(charactersIn: "`")))"
            })
        let routes = Set(AdminRouter.routes)
        #expect(
            documented.subtracting(routes).isEmpty, "docs/admin-api.md lists routes that do not exist: \(documented.subtracting(routes).sorted())")
        #expect(routes.subtracting(documented).isEmpty, "routes missing from docs/admin-api.md: \(routes.subtracting(documented).sorted())")
    }
}

/// The command tree `--experimental-dump-help` prints.
struct HelpDump: Decodable {
    var command: Command

    struct Name: Decodable {
        var kind: String
        var name: String
    }

    struct Argument: Decodable {
        var kind: String
        var names: [Name]?
        var allValues: [String]?
        var isRepeating: Bool?
    }

    struct Command: Decodable {
        var commandName: String
        var arguments: [Argument]?
        var subcommands: [Command]?

        /// Why `words` would not parse as this command's arguments, or `nil` when they would.
        /// Upper-case words and `…` stand for values the reader fills in; `[`, `]` and `|`
        /// mark optional and alternative parts of a usage line.
        func check(_ words: [String]) -> String? {
            var command = self
            var positionals = (command.arguments ?? []).filter { $0.kind == "positional" }[...]
            var pendingValue = false
            for word in words.map({ $0.filter { !"[]()".contains($0) } }) where !word.isEmpty && word != "…" && word != "..." && !word.hasPrefix("<")
            {
                if pendingValue {
                    pendingValue = false
                    continue
                }
                // `--agi HOST:PORT|off` or `--template NAME|--no-template`: each alternative must exist.
                let alternatives = word.split(separator: "|").map(String.init)
                if alternatives.contains(where: { $0.hasPrefix("-") }) {
                    for alternative in alternatives {
                        guard alternative.hasPrefix("-") else { continue }
                        let name = String(alternative.split(separator: "=", maxSplits: 1)[0])
                        let (kind, bare) = name.hasPrefix("--") ? ("long", String(name.dropFirst(2))) : ("short", String(name.dropFirst()))
                        guard let argument = command.arguments?.first(where: { $0.names?.contains { $0.kind == kind && $0.name == bare } ?? false })
                        else {
                            return "'\(command.commandName)' has no option \(name)"
                        }
                        pendingValue = argument.kind == "option" && !alternative.contains("=")
                    }
                    continue
                }
                let visible = (command.subcommands ?? []).filter { $0.commandName != "help" }
                if !visible.isEmpty {
                    guard let next = visible.first(where: { $0.commandName == word }) else {
                        return "'\(command.commandName)' has no subcommand '\(word)' (it has \(visible.map(\.commandName).joined(separator: ", ")))"
                    }
                    command = next
                    positionals = (command.arguments ?? []).filter { $0.kind == "positional" }[...]
                    continue
                }
                guard let positional = positionals.first else {
                    return "'\(command.commandName)' takes no further argument '\(word)'"
                }
                for alternative in alternatives {
                    if let values = positional.allValues, alternative.first?.isUppercase != true, !values.contains(alternative) {
                        return "'\(alternative)' is not one of \(values.joined(separator: ", "))"
                    }
                }
                if positional.isRepeating != true { positionals = positionals.dropFirst() }
            }
            return nil
        }
    }
}
