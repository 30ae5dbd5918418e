import AMI
import Provisioning

/// Asterisk's dialplan has our star-code context, `autoprovision-bind`, with the Extension Template's
/// pattern calling our FastAGI address, and the guest endpoint's context reaches it.
public struct DialplanCheck: AsteriskCheck {
    public let name = "dialplan"
    /// The context the generated extensions.conf holds the star code in.
    static let bindContext = "autoprovision-bind"

    public init() {}

    public func run(_ asterisk: AsteriskProbe, _ context: DoctorContext) async throws -> CheckResult {
        guard let settings = context.settings else { return context.noSettings(name) }
        let pattern = ExtensionTemplate(settings.extensionTemplate).asteriskPattern
        let agi = "agi://\(context.agiAddress)/bind"
        var dialplan = DialplanView()
        guard let bind = try await dialplan.context(Self.bindContext, asterisk) else {
            return CheckResult(
                .fail, name, "Asterisk's dialplan has no context \(Self.bindContext)\(dialplan.note)", fix: AsteriskFixes.include(settings))
        }
        let fix = AsteriskFixes.regenerate(settings, agi: context.agiAddress)
        let steps = bind.priorities.filter { $0.exten == pattern }
        guard !steps.isEmpty else {
            return CheckResult(
                .fail, name, "\(Self.bindContext) has no extension \(pattern) (extension-template \(settings.extensionTemplate))\(dialplan.note)",
                fix: fix)
        }
        let calls = steps.filter { $0.application.lowercased() == "agi" }.map(\.data)
        guard calls.contains(where: { $0.hasPrefix(agi + ",") || $0 == agi }) else {
            let found = calls.first.map { "calls AGI(\($0))" } ?? "calls no AGI"
            return CheckResult(.fail, name, "\(Self.bindContext) \(pattern) \(found), not \(agi) where serve listens\(dialplan.note)", fix: fix)
        }
        var reach = ""
        let detail = try await asterisk.send(AMIAction("PJSIPShowEndpoint", [("Endpoint", settings.guestUsername)]))
        if let guestContext = detail.events.first(where: { $0["Event"] == "EndpointDetail" })?["Context"], guestContext != Self.bindContext {
            guard let entry = try await dialplan.context(guestContext, asterisk) else {
                return CheckResult(
                    .fail, name, "the guest endpoint's context \(guestContext) is not in the dialplan\(dialplan.note)",
                    fix: AsteriskFixes.include(settings))
            }
            guard entry.includes.contains(Self.bindContext) || entry.priorities.contains(where: { $0.exten == pattern }) else {
                return CheckResult(
                    .fail, name,
                    "the guest endpoint's context \(guestContext) does not include \(Self.bindContext): unbound phones cannot dial the star code",
                    fix: "add 'include => \(Self.bindContext)' to [\(guestContext)], or give the guest endpoint context=autoprovision-guest")
            }
            reach = "; the guest endpoint's context \(guestContext) includes it"
        }
        return CheckResult(.ok, name, "\(Self.bindContext) sends \(pattern) to AGI \(agi)\(reach)\(dialplan.note)")
    }
}
