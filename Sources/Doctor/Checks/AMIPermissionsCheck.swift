import AMI

/// The AMI user may send every action the daemon sends.
///
/// Each action is sent for real, with arguments that change nothing (an endpoint and a module that
/// do not exist): Asterisk checks the user's `write` permission before it looks at the arguments,
/// so "Permission denied" means the permission is missing and any other answer means it is there.
public struct AMIPermissionsCheck: AsteriskCheck {
    public let name = "ami-permissions"

    public init() {}

    /// The daemon's actions: the directory sync, the contact lookup, check-sync and the reload of the generated files.
    static let probes: [AMIAction] = [
        AMIAction("PJSIPShowEndpoints"),
        AMIAction("PJSIPShowEndpoint", [("Endpoint", AMIAnswer.probeName)]),
        AMIAction("PJSIPShowAuths"),
        AMIAction("PJSIPShowContacts"),
        AMIAction("PJSIPNotify", [("Endpoint", AMIAnswer.probeName), ("Variable", "Event=check-sync")]),
        AMIAction("Reload", [("Module", AMIAnswer.probeName)]),
    ]

    public func run(_ asterisk: AsteriskProbe, _ context: DoctorContext) async throws -> CheckResult {
        let answers = try await withThrowingTaskGroup(of: (Int, AMIAnswer).self) { group in
            for (index, action) in Self.probes.enumerated() {
                group.addTask { (index, AMIAnswer(try await asterisk.send(action))) }
            }
            var answers = [AMIAnswer](repeating: .allowed, count: Self.probes.count)
            for try await (index, answer) in group { answers[index] = answer }
            return answers
        }
        let names = Self.probes.map(\.name)
        let refused = zip(names, answers).filter { $0.1 == .refused }.map(\.0)
        // PJSIPNotify unknown is the notify check's finding (res_pjsip_notify not loaded).
        let unknown = zip(names, answers).filter { $0.1 == .unknown && $0.0 != "PJSIPNotify" }.map(\.0)
        let user = asterisk.configuration.username
        if !refused.isEmpty {
            return CheckResult(
                .fail, name, "\(refused.joined(separator: ", ")) refused (Permission denied)",
                fix: "add 'system' to read and write of [\(user)] in manager.conf, then asterisk -rx 'manager reload'")
        }
        if !unknown.isEmpty {
            return CheckResult(
                .fail, name, "\(unknown.joined(separator: ", ")) unknown to Asterisk (res_pjsip not loaded?)",
                fix: "asterisk -rx 'module load res_pjsip.so'; check modules.conf for noload lines")
        }
        return CheckResult(.ok, name, "\(user) may send \(names.dropLast().joined(separator: ", ")) and \(names.last!)")
    }
}
