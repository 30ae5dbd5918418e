import AMI
import Provisioning

/// How many of Asterisk's endpoints a phone can be provisioned for, which cannot and why (as the
/// daemon's own sync classifies them), and whether every bound phone's extension is among the good ones.
public struct EndpointsCheck: AsteriskCheck {
    public let name = "endpoints"
    /// How many refused endpoints the line names before it says how many more there are.
    static let shown = 10

    public init() {}

    public func run(_ asterisk: AsteriskProbe, _ context: DoctorContext) async throws -> CheckResult {
        let directory = try await asterisk.directory()
        let guest = context.settings?.guestUsername
        let provisionable = directory.provisionable.filter { $0.name != guest }
        let refused = directory.refused.filter { $0.name != guest }
        var summary = "\(provisionable.count) provisionable, \(refused.count) not"
        if !refused.isEmpty {
            summary += ": " + refused.prefix(Self.shown).map { "\($0.name) (\($0.problem ?? "?"))" }.joined(separator: ", ")
            if refused.count > Self.shown { summary += " and \(refused.count - Self.shown) more (autoprovision ami check lists them all)" }
        }
        var stranded: [String] = []
        for device in (try? context.store?.devices()) ?? [] {
            for line in device.lines where directory.endpoints[line.extensionNumber]?.credentials == nil {
                let why = directory.endpoints[line.extensionNumber]?.problem ?? "no such endpoint in Asterisk"
                stranded.append("\(device.device.mac) line \(line.line) on \(line.extensionNumber) (\(why))")
            }
        }
        if !stranded.isEmpty {
            return CheckResult(
                .fail, name, "\(summary); bound phones that get no account: \(stranded.joined(separator: ", "))",
                fix: "give those endpoints an inbound auth with auth_type=userpass and a password, or bind the phones to other extensions")
        }
        if provisionable.isEmpty {
            return CheckResult(
                .warn, name, summary, fix: "add PJSIP endpoints with an inbound auth (auth_type=userpass) for the phones' extensions")
        }
        if !refused.isEmpty {
            return CheckResult(
                .warn, name, summary, fix: "an endpoint that is not a phone (a trunk) may stay so; a phone's needs an auth with auth_type=userpass")
        }
        return CheckResult(.ok, name, summary)
    }
}
