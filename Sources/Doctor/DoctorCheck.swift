/// One thing a phone needs, checked on this host without Asterisk's manager interface.
public protocol DoctorCheck: Sendable {
    /// The short name that starts the check's line.
    var name: String { get }

    /// Looks, and says what it found; never throws: a check that cannot look says so in its result.
    /// - Parameter context: The store, settings and addresses the checks share.
    func run(_ context: DoctorContext) async -> CheckResult
}

/// One thing a phone needs from Asterisk, checked over a logged-in AMI session.
public protocol AsteriskCheck: Sendable {
    /// The short name that starts the check's line.
    var name: String { get }

    /// Asks Asterisk and says what it found.
    /// - Parameters:
    ///   - asterisk: The session, with the timeout every action gets and the shared directory sync.
    ///   - context: The store, settings and addresses the checks share.
    /// - Throws: What the session throws (a timeout, a closed connection); the doctor turns it into a failed line.
    func run(_ asterisk: AsteriskProbe, _ context: DoctorContext) async throws -> CheckResult
}
