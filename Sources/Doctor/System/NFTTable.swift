import Foundation

/// One table of `nft list ruleset` output, with its chains' hooks, policies and rules.
struct NFTTable: Hashable {
    struct Chain: Hashable {
        var name: String
        /// `input`, `forward`… for a base chain; nil for a regular chain.
        var hook: String?
        var policy: String?
        var rules: [String] = []
    }

    var family: String
    var name: String
    var chains: [Chain] = []

    /// Reads the tables; sets, maps and flowtables are skipped, a rule spread over lines is joined.
    static func parse(_ ruleset: String) -> [NFTTable] {
        var tables: [NFTTable] = []
        var depth = 0
        var inChain = false
        var pending = ""
        for raw in ruleset.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") || line.isEmpty { continue }
            if !pending.isEmpty {
                line = pending + " " + line
                pending = ""
            }
            let opens = line.filter { $0 == "{" }.count
            let closes = line.filter { $0 == "}" }.count
            if inChain && depth == 2 && opens > closes && !line.hasSuffix("{") {
                // An anonymous set broken over lines: read on until it closes.
                pending = line
                continue
            }
            let words = FirewallAnalysis.tokens(line.hasSuffix("{") ? String(line.dropLast()) : line)
            switch depth {
            case 0 where words.first == "table" && words.count >= 3:
                tables.append(NFTTable(family: words[1], name: words[2]))
            case 0 where words.first == "table" && words.count == 2:
                tables.append(NFTTable(family: "ip", name: words[1]))
            case 1 where words.first == "chain" && words.count >= 2 && !tables.isEmpty:
                tables[tables.count - 1].chains.append(Chain(name: words[1]))
                inChain = true
            case 2 where inChain && line != "}":
                var chain = tables[tables.count - 1].chains.removeLast()
                if words.contains("hook") {
                    chain.hook = FirewallAnalysis.value(after: ["hook"], in: words)
                    chain.policy = FirewallAnalysis.value(after: ["policy"], in: words.map { $0.replacingOccurrences(of: ";", with: "") })
                } else {
                    chain.rules.append(line)
                }
                tables[tables.count - 1].chains.append(chain)
            default:
                break
            }
            depth += opens - closes
            if depth < 2 { inChain = false }
        }
        return tables
    }
}
