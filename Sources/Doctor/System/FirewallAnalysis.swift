import Foundation

/// What the daemon needs to reach it through a host firewall.
public struct FirewallTarget: Hashable, Sendable, CustomStringConvertible {
    public var transport: SocketTable.Transport
    public var port: Int
    /// The multicast group, for the PnP SUBSCRIBE (224.0.1.75).
    public var group: String?

    public init(_ transport: SocketTable.Transport, _ port: Int, group: String? = nil) {
        self.transport = transport
        self.port = port
        self.group = group
    }

    /// `8480/tcp`, `224.0.1.75:5060/udp`.
    public var description: String { (group.map { "\($0):" } ?? "") + "\(port)/\(transport.rawValue)" }
}

/// An input chain that drops what phones send, with the rules that would let it in.
public struct FirewallFinding: Hashable, Sendable {
    /// `inet filter input` (nftables) or `filter INPUT` (iptables).
    public var chain: String
    public var blocked: [FirewallTarget]
    /// One command per blocked target.
    public var fixes: [String]
}

/// A conservative reading of a host firewall: a target is reported only when an input chain drops by
/// policy (or ends in an unconditional drop) and no accept rule anywhere in its table could let it in.
/// A rule it cannot judge (a named set, an address it does not know) counts as letting it in.
public enum FirewallAnalysis {
    /// Reads `nft list ruleset` output.
    public static func nftables(_ ruleset: String, targets: [FirewallTarget]) -> [FirewallFinding] {
        var findings: [FirewallFinding] = []
        for table in NFTTable.parse(ruleset) where table.family == "ip" || table.family == "inet" {
            let rules = table.chains.flatMap(\.rules)
            for chain in table.chains where chain.hook == "input" && (chain.policy == "drop" || chain.rules.contains(where: isUnconditionalDrop)) {
                let blocked = targets.filter { target in !rules.contains { accepts($0, target) } }
                guard !blocked.isEmpty else { continue }
                let prefix = "nft insert rule \(table.family) \(table.name) \(chain.name)"
                findings.append(
                    FirewallFinding(
                        chain: "\(table.family) \(table.name) \(chain.name)", blocked: blocked,
                        fixes: blocked.map { target in
                            "\(prefix) \(target.group.map { "ip daddr \($0) " } ?? "")\(target.transport.rawValue) dport \(target.port) accept"
                        }))
            }
        }
        return findings
    }

    /// Reads `iptables-save` output (its filter table).
    public static func iptables(_ save: String, targets: [FirewallTarget]) -> [FirewallFinding] {
        var table = ""
        var policies: [String: String] = [:]
        var rules: [(chain: String, rule: [String])] = []
        for line in save.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("*") {
                table = String(line.dropFirst())
            } else if table == "filter", line.hasPrefix(":") {
                let parts = line.dropFirst().split(separator: " ")
                if parts.count >= 2 { policies[String(parts[0])] = parts[1].uppercased() }
            } else if table == "filter", line.hasPrefix("-A ") {
                let words = tokens(line)
                if words.count >= 2 { rules.append((words[1], Array(words.dropFirst(2)))) }
            }
        }
        let input = rules.filter { $0.chain == "INPUT" }.map(\.rule)
        let drops =
            ["DROP", "REJECT"].contains(policies["INPUT"] ?? "")
            || input.contains { rule in rule.first == "-j" && ["DROP", "REJECT"].contains(rule.dropFirst().first ?? "") }
        guard drops else { return [] }
        let blocked = targets.filter { target in !rules.contains { iptablesAccepts($0.rule, target) } }
        guard !blocked.isEmpty else { return [] }
        return [
            FirewallFinding(
                chain: "filter INPUT", blocked: blocked,
                fixes: blocked.map { target in
                    "iptables -I INPUT -p \(target.transport.rawValue) \(target.group.map { "-d \($0) " } ?? "")--dport \(target.port) -j ACCEPT"
                })
        ]
    }

    // MARK: - nftables rules

    static func isUnconditionalDrop(_ rule: String) -> Bool {
        var words = tokens(rule)
        if words.first == "counter" {
            words.removeFirst()
            if words.first == "packets" { words.removeFirst(min(4, words.count)) }
        }
        return words == ["drop"] || words.first == "reject"
    }

    static func accepts(_ rule: String, _ target: FirewallTarget) -> Bool {
        let words = tokens(rule)
        guard words.contains("accept") else { return false }
        if words.contains(where: { ["iif", "iifname"].contains($0) }), rule.contains("\"lo\"") || words.contains("lo") { return false }
        if let state = value(after: ["ct", "state"], in: words), !state.contains("new") { return false }
        if words.contains(where: { $0.hasPrefix("icmp") || $0 == "ipv6-icmp" }) { return false }
        let other = target.transport == .tcp ? "udp" : "tcp"
        if words.contains(other) && !words.contains(target.transport.rawValue) { return false }
        if let port = value(after: ["dport"], in: words), !portMatches(port, target.port, rangeSeparator: "-") { return false }
        if target.group != nil {
            if let address = value(after: ["daddr"], in: words), !isMulticast(address) { return false }
        } else if words.contains("multicast") {
            return false
        }
        return true
    }

    // MARK: - iptables rules

    static func iptablesAccepts(_ rule: [String], _ target: FirewallTarget) -> Bool {
        guard let jump = rule.firstIndex(of: "-j"), rule.indices.contains(jump + 1), rule[jump + 1] == "ACCEPT" else { return false }
        func option(_ names: String...) -> String? {
            guard let index = rule.firstIndex(where: { names.contains($0) }), rule.indices.contains(index + 1) else { return nil }
            return rule[index + 1]
        }
        if option("-i", "--in-interface") == "lo" { return false }
        if let state = option("--ctstate", "--state"), !state.uppercased().contains("NEW") { return false }
        if let proto = option("-p", "--protocol")?.lowercased(), proto != target.transport.rawValue, proto != "all" { return false }
        if let port = option("--dport", "--destination-port", "--dports", "--destination-ports"),
            !portMatches(port, target.port, rangeSeparator: ":")
        {
            return false
        }
        let multicastType = option("--dst-type")?.uppercased() == "MULTICAST" || option("--pkt-type")?.lowercased() == "multicast"
        if target.group != nil {
            if let address = option("-d", "--destination"), !isMulticast(address) { return false }
        } else if multicastType {
            return false
        }
        return true
    }

    // MARK: - Shared

    /// Words of a rule; a `{ a, b }` set is one word, `a,b`; quoted text stays one word.
    static func tokens(_ rule: String) -> [String] {
        var words: [String] = []
        var current = ""
        var set: [String]?
        var inQuote = false
        func finishWord() {
            guard !current.isEmpty else { return }
            if set != nil { set!.append(current) } else { words.append(current) }
            current = ""
        }
        for character in rule {
            if inQuote || character == "\"" {
                if character == "\"" { inQuote.toggle() }
                current.append(character)
            } else if character == "{" {
                finishWord()
                set = []
            } else if character == "}" {
                finishWord()
                words.append((set ?? []).joined(separator: ","))
                set = nil
            } else if character == " " || character == "\t" || (set != nil && character == ",") {
                finishWord()
            } else {
                current.append(character)
            }
        }
        finishWord()
        if let set { words.append(set.joined(separator: ",")) }
        return words
    }

    /// The word after the words `keys` (in order, adjacent), if any.
    static func value(after keys: [String], in words: [String]) -> String? {
        guard words.count > keys.count else { return nil }
        for index in 0...(words.count - keys.count - 1) where Array(words[index..<(index + keys.count)]) == keys {
            return words[index + keys.count]
        }
        return nil
    }

    static let serviceNames = ["tftp": 69, "sip": 5060, "http": 80, "https": 443]

    /// Whether `80,443,8000-9000` (or a service name) includes `port`; a named set (`@ports`) or a
    /// negation counts as including it, since it cannot be judged here.
    static func portMatches(_ text: String, _ port: Int, rangeSeparator: Character) -> Bool {
        if text.hasPrefix("@") || text.hasPrefix("!") || text.hasPrefix("$") { return true }
        for item in text.split(separator: ",") {
            let bounds = item.split(separator: rangeSeparator)
            let numbers = bounds.map { Int($0) ?? serviceNames[String($0)] ?? -1 }
            if numbers.count == 1, numbers[0] == port { return true }
            if numbers.count == 2, numbers[0] <= port, port <= numbers[1] { return true }
        }
        return false
    }

    /// Whether an address or network (`224.0.1.75`, `224.0.0.0/4`) is or may be IPv4 multicast.
    static func isMulticast(_ text: String) -> Bool {
        if text.hasPrefix("@") || text.hasPrefix("$") { return true }
        return text.split(separator: ",").contains { item in
            guard let first = item.split(separator: ".").first.flatMap({ Int($0) }) else { return false }
            return (224...239).contains(first) || item.hasSuffix("/0")
        }
    }
}
