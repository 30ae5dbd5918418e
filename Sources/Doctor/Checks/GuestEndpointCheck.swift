import AMI
import Crypto
import Provisioning

/// The guest endpoint that unbound phones register with exists in Asterisk, with the user name and
/// the password the store puts into their files. The passwords are compared as SHA-256 digests
/// and neither is ever printed.
public struct GuestEndpointCheck: AsteriskCheck {
    public let name = "guest-endpoint"

    public init() {}

    public func run(_ asterisk: AsteriskProbe, _ context: DoctorContext) async throws -> CheckResult {
        guard let settings = context.settings else { return context.noSettings(name) }
        let guest = settings.guestUsername
        let directory = try await asterisk.directory()
        guard let endpoint = directory.endpoints[guest] else {
            return CheckResult(
                .fail, name, "Asterisk has no endpoint '\(guest)': unbound phones cannot register", fix: AsteriskFixes.include(settings))
        }
        let fix = AsteriskFixes.regenerate(settings, agi: context.agiAddress)
        guard let credentials = endpoint.credentials else {
            return CheckResult(.fail, name, "endpoint '\(guest)': \(endpoint.problem ?? "no usable auth")", fix: fix)
        }
        guard credentials.authUsername == guest else {
            return CheckResult(
                .fail, name, "endpoint '\(guest)' authenticates user '\(credentials.authUsername)', but unbound phones are given '\(guest)'", fix: fix
            )
        }
        guard Self.digest(credentials.password) == Self.digest(settings.guestSecret) else {
            return CheckResult(
                .fail, name,
                "endpoint '\(guest)' has a password different from the store's guest secret: unbound phones are given the store's and cannot register",
                fix: fix)
        }
        return CheckResult(.ok, name, "endpoint '\(guest)' exists, and its password is the store's guest secret (compared by SHA-256)")
    }

    static func digest(_ secret: String) -> SHA256.Digest {
        SHA256.hash(data: Array(secret.utf8))
    }
}
