import Foundation
import Provisioning

/// The host firewall lets phones reach the HTTP port, TFTP (when on) and the PnP multicast.
///
/// It reads `nft list ruleset`, else `iptables-save`, whichever is installed, and reports an input
/// chain that drops by policy with no rule that accepts a target (see ``FirewallAnalysis``).
public struct FirewallCheck: DoctorCheck {
    /// What the firewall tools gave.
    public enum Ruleset: Sendable {
        case nftables(String)
        case iptables(String)
        /// The tool is there but could not be run (not root, no kernel support).
        case unreadable(tool: String, reason: String)
        /// Neither tool is installed.
        case none
    }

    public let name = "firewall"
    let ruleset: @Sendable () async -> Ruleset

    /// - Parameter ruleset: Reads the rules; runs the installed tool by default.
    public init(ruleset: @escaping @Sendable () async -> Ruleset = FirewallCheck.readRuleset) {
        self.ruleset = ruleset
    }

    /// The PnP multicast group and port every phone SUBSCRIBEs to.
    public static let pnpGroup = FirewallTarget(.udp, 5060, group: "224.0.1.75")

    public func run(_ context: DoctorContext) async -> CheckResult {
        guard let settings = context.settings else { return context.noSettings(name) }
        var targets = [FirewallTarget(.tcp, settings.httpPort)]
        if settings.tftpEnabled, let port = DoctorContext.hostPort(context.tftpAddress).port { targets.append(FirewallTarget(.udp, port)) }
        targets.append(Self.pnpGroup)
        let findings: [FirewallFinding]
        let tool: String
        switch await ruleset() {
        case .none:
            return CheckResult(.ok, name, "neither nft nor iptables-save is installed: no host firewall rules to check")
        case .unreadable(let name, let reason):
            return CheckResult(.warn, self.name, "cannot read the rules with \(name): \(reason)", fix: "run doctor as root")
        case .nftables(let text):
            (tool, findings) = ("nftables", FirewallAnalysis.nftables(text, targets: targets))
        case .iptables(let text):
            (tool, findings) = ("iptables", FirewallAnalysis.iptables(text, targets: targets))
        }
        let all = targets.map(\.description).joined(separator: ", ")
        guard !findings.isEmpty else { return CheckResult(.ok, name, "\(tool) lets in \(all)") }
        let what = findings.map { "\($0.chain) drops \($0.blocked.map(\.description).joined(separator: ", "))" }.joined(separator: "; ")
        return CheckResult(.fail, name, "\(tool): \(what)", fix: findings.flatMap(\.fixes).joined(separator: "; "))
    }

    /// Runs `nft list ruleset`, else `iptables-save`, from the usual system directories or PATH.
    public static func readRuleset() async -> Ruleset {
        for (tool, arguments) in [("nft", ["list", "ruleset"]), ("iptables-save", [])] {
            guard let path = executable(tool) else { continue }
            let result = capture(path, arguments)
            guard result.status == 0 else {
                let text = result.error.trimmingCharacters(in: .whitespacesAndNewlines)
                return .unreadable(tool: tool, reason: text.isEmpty ? "exit status \(result.status)" : String(text.split(separator: "\n")[0]))
            }
            return tool == "nft" ? .nftables(result.output) : .iptables(result.output)
        }
        return .none
    }

    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] + path.split(separator: ":").map(String.init)
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private static func capture(_ path: String, _ arguments: [String]) -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return (-1, "", "\(error)")
        }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
