import AMI

/// Check-sync through Asterisk works: `PJSIPNotify` exists (res_pjsip_notify is loaded) and may be sent.
///
/// The daemon sends check-sync as `PJSIPNotify` with the `Event` header inline (`Variable:
/// Event=check-sync;reboot=true`), not by the name of a pjsip_notify.conf section, so that file
/// needs no entry; what it does need is the module that provides the action.
public struct NotifyCheck: AsteriskCheck {
    public let name = "notify"

    public init() {}

    public func run(_ asterisk: AsteriskProbe, _ context: DoctorContext) async throws -> CheckResult {
        let result = try await asterisk.send(
            AMIAction("PJSIPNotify", [("Endpoint", AMIAnswer.probeName), ("Variable", "Event=check-sync")]))
        switch AMIAnswer(result) {
        case .unknown:
            return CheckResult(
                .fail, name,
                "Asterisk does not know PJSIPNotify (res_pjsip_notify is not loaded): check-sync cannot go through Asterisk, "
                    + "and the daemon's own NOTIFY reaches only phones that accept it from another address than the registrar",
                fix: "asterisk -rx 'module load res_pjsip_notify.so', and remove any 'noload => res_pjsip_notify.so' from modules.conf")
        case .refused:
            return CheckResult(
                .fail, name, "PJSIPNotify refused (Permission denied)",
                fix: "add 'system' to write of [\(asterisk.configuration.username)] in manager.conf, then asterisk -rx 'manager reload'")
        case .allowed:
            return CheckResult(
                .ok, name,
                "PJSIPNotify is available (res_pjsip_notify loaded); check-sync carries its Event header inline, so pjsip_notify.conf needs no entry")
        }
    }
}
