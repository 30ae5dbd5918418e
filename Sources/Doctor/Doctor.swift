import AMI
public import Logging

/// Runs every check a phone depends on and returns one line each.
///
/// The host checks run first, one after another. Then, when an AMI address is given, the doctor
/// logs in once and runs the Asterisk checks at the same time over that session; each ends within
/// ``DoctorContext/amiTimeout`` of its start when Asterisk does not answer, and says so.
///
/// ## Topics
/// - ``DoctorCheck``
/// - ``AsteriskCheck``
/// - ``CheckResult``
public struct Doctor: Sendable {
    public var checks: [any DoctorCheck]
    public var asteriskChecks: [any AsteriskCheck]

    /// - Parameters:
    ///   - checks: The host checks, in output order.
    ///   - asteriskChecks: The checks over AMI, in output order.
    public init(checks: [any DoctorCheck] = Doctor.hostChecks, asteriskChecks: [any AsteriskCheck] = Doctor.asteriskChecks) {
        self.checks = checks
        self.asteriskChecks = asteriskChecks
    }

    /// Database, pbx-host, the four listeners, privileges, firewall and the generated files.
    public static var hostChecks: [any DoctorCheck] {
        [
            DatabaseCheck(), PBXHostCheck(), PortCheck(.http), PortCheck(.https), PortCheck(.tftp), PortCheck(.agi), PrivilegeCheck(.pnp),
            PrivilegeCheck(.tftp), FirewallCheck(), ConfigFilesCheck(),
        ]
    }

    /// Permissions, endpoints, the guest endpoint, the dialplan and check-sync.
    public static var asteriskChecks: [any AsteriskCheck] {
        [AMIPermissionsCheck(), EndpointsCheck(), GuestEndpointCheck(), DialplanCheck(), NotifyCheck()]
    }

    /// Runs the checks.
    /// - Parameters:
    ///   - context: The store, settings, addresses and AMI login.
    ///   - logger: Where the AMI client logs protocol trouble.
    /// - Returns: One result per check, in order; `ami-login` (or `ami`) before the Asterisk checks.
    public func run(_ context: DoctorContext, logger: Logger) async -> [CheckResult] {
        var results: [CheckResult] = []
        for check in checks { results.append(await check.run(context)) }
        return results + (await runAsterisk(context, logger: logger))
    }

    func runAsterisk(_ context: DoctorContext, logger: Logger) async -> [CheckResult] {
        guard var configuration = context.ami else {
            return [
                CheckResult(
                    .warn, "ami", "not checked: no AMI address given, so Asterisk was not asked (serve without --ami uses its local accounts)",
                    fix: "give --ami HOST:PORT and --ami-secret-file FILE (or AUTOPROVISION_AMI and AUTOPROVISION_AMI_SECRET), as serve gets them")
            ]
        }
        let timeout = context.amiTimeout
        configuration.connectTimeout = timeout
        configuration.requestTimeout = timeout
        let checks = asteriskChecks
        let login = configuration
        do {
            return try await AMIConnector.withSession(configuration, logger: logger) { session in
                let version = await session.version ?? "?"
                let directories = SharedDirectory()
                let lines = await withTaskGroup(of: (Int, CheckResult).self) { group in
                    for (index, check) in checks.enumerated() {
                        group.addTask {
                            let probe = AsteriskProbe(session: session, configuration: login, timeout: timeout, directories: directories)
                            do {
                                return (index, try await check.run(probe, context))
                            } catch let error as AMIClientError {
                                return (
                                    index,
                                    CheckResult(
                                        .fail, check.name, error.doctorText(timeout: timeout, configuration: login), fix: Self.actionFix(error, login)
                                    )
                                )
                            } catch {
                                return (index, CheckResult(.fail, check.name, "\(error)"))
                            }
                        }
                    }
                    var lines = [CheckResult?](repeating: nil, count: checks.count)
                    for await (index, line) in group { lines[index] = line }
                    return lines.compactMap { $0 }
                }
                let loggedIn = CheckResult(
                    .ok, "ami-login", "logged in to \(login.host):\(login.port) as \(login.username) (AMI \(version))")
                return [loggedIn] + lines
            }
        } catch {
            let text = (error as? AMIClientError)?.doctorText(timeout: timeout, configuration: login) ?? "\(error)"
            return [CheckResult(.fail, "ami-login", text, fix: Self.loginFix(error, login))]
                + checks.map { CheckResult(.fail, $0.name, "not checked: no AMI session (\(text))") }
        }
    }

    /// The fix for an action Asterisk refused for want of permission; nil for other failures.
    static func actionFix(_ error: AMIClientError, _ configuration: AMIConfiguration) -> String? {
        guard case .actionFailed(_, let message) = error, message.lowercased().contains("permission denied") else { return nil }
        return "add 'system' to read and write of [\(configuration.username)] in manager.conf, then asterisk -rx 'manager reload'"
    }

    static func loginFix(_ error: any Error, _ configuration: AMIConfiguration) -> String {
        switch error as? AMIClientError {
        case .authenticationFailed:
            "the secret given (--ami-secret-file or AUTOPROVISION_AMI_SECRET) must be the secret of [\(configuration.username)] in Asterisk's "
                + "manager.conf, whose permit must allow this host; then asterisk -rx 'manager reload'"
        case .connectionFailed:
            "start Asterisk, and check that manager.conf has enabled = yes, port = \(configuration.port) and a bindaddr this host reaches"
        case .noBanner, .timeout:
            "Asterisk may be hung or still booting (asterisk -rx 'core show uptime'); or another program listens on \(configuration.port)"
        default:
            "check Asterisk's log for the manager session"
        }
    }
}
