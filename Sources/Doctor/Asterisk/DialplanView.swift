import AMI
import Foundation

/// Contexts of Asterisk's dialplan as the doctor reads them: the live dialplan (`ShowDialPlan`, which
/// needs the AMI user's `write = reporting` or `config`), else extensions.conf as Asterisk would load
/// it (`GetConfig`, which `write = system` allows; it follows `#include`).
struct DialplanView {
    struct Priority: Hashable {
        var exten: String
        var application: String
        var data: String
    }

    struct Context: Hashable {
        var priorities: [Priority] = []
        var includes: [String] = []
    }

    /// Whether the live dialplan was read, or extensions.conf.
    private(set) var fromFile = false
    private var file: [String: Context]?

    /// Said after a line read from the file.
    var note: String { fromFile ? " (read from extensions.conf: reading the live dialplan needs 'reporting' in write)" : "" }

    /// The context, or nil when Asterisk has none of that name.
    /// - Throws: What the session throws, or ``AMIClientError/actionFailed(action:message:)`` for another refusal.
    mutating func context(_ name: String, _ asterisk: AsteriskProbe) async throws -> Context? {
        if let file { return file[name] }
        let result = try await asterisk.send(AMIAction("ShowDialPlan", [("Context", name)]))
        if result.isSuccess { return Self.parse(listing: result.events) }
        if result.message.lowercased().hasPrefix("did not find context") { return nil }
        guard AMIAnswer(result) == .refused else { throw AMIClientError.actionFailed(action: "ShowDialPlan", message: result.message) }
        let config = try await asterisk.send(AMIAction("GetConfig", [("Filename", "extensions.conf")]))
        guard config.isSuccess else { throw AMIClientError.actionFailed(action: "GetConfig extensions.conf", message: config.message) }
        let parsed = Self.parse(config: config.response)
        file = parsed
        fromFile = true
        return parsed[name]
    }

    /// `ListDialplan` events of one context.
    static func parse(listing events: [AMIMessage]) -> Context {
        var context = Context()
        for event in events where event["Event"] == "ListDialplan" {
            if let include = event["IncludeContext"] {
                context.includes.append(include)
            } else if let exten = event["Extension"] {
                context.priorities.append(Priority(exten: exten, application: event["Application"] ?? "", data: event["AppData"] ?? ""))
            }
        }
        return context
    }

    /// `GetConfig`'s `Category-NNNNNN: name` and `Line-NNNNNN-NNNNNN: key=value` headers.
    static func parse(config: AMIMessage) -> [String: Context] {
        var categories: [String: String] = [:]
        var contexts: [String: Context] = [:]
        var lastExten: [String: String] = [:]
        for header in config.headers {
            if header.name.hasPrefix("Category-") {
                categories[String(header.name.dropFirst("Category-".count))] = header.value
                continue
            }
            guard header.name.hasPrefix("Line-") else { continue }
            let index = header.name.dropFirst("Line-".count).split(separator: "-").first.map(String.init) ?? ""
            guard let name = categories[index], let equals = header.value.firstIndex(of: "=") else { continue }
            let key = header.value[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = header.value[header.value.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix(">") { value = value.dropFirst().trimmingCharacters(in: .whitespaces) }
            switch key {
            case "include":
                contexts[name, default: Context()].includes.append(value)
            case "exten", "same":
                let parts = value.split(separator: ",", maxSplits: key == "exten" ? 2 : 1, omittingEmptySubsequences: false).map(String.init)
                let exten = key == "exten" ? parts[0] : lastExten[name] ?? ""
                lastExten[name] = exten
                guard let step = parts.last, parts.count == (key == "exten" ? 3 : 2) else { continue }
                let open = step.firstIndex(of: "(")
                let application = String(open.map { step[..<$0] } ?? Substring(step))
                var data = open.map { String(step[step.index(after: $0)...]) } ?? ""
                if data.hasSuffix(")") { data.removeLast() }
                contexts[name, default: Context()].priorities.append(Priority(exten: exten, application: application, data: data))
            default:
                break
            }
        }
        for name in categories.values where contexts[name] == nil { contexts[name] = Context() }
        return contexts
    }
}
