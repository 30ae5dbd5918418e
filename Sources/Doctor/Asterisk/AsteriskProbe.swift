public import AMI

/// A logged-in AMI session as one Asterisk check sees it: every action it sends ends within the
/// check's deadline, and the one directory sync is shared by the checks that need it.
public struct AsteriskProbe: Sendable {
    public let session: AMISession
    /// The login in use (for the user name in fixes).
    public let configuration: AMIConfiguration
    /// The longest a check may wait for Asterisk.
    public let timeout: Duration
    let deadline: ContinuousClock.Instant
    let directories: SharedDirectory

    init(session: AMISession, configuration: AMIConfiguration, timeout: Duration, directories: SharedDirectory) {
        self.session = session
        self.configuration = configuration
        self.timeout = timeout
        self.deadline = .now + timeout
        self.directories = directories
    }

    /// Sends one action; it fails with ``AMIClientError/timeout(action:)`` when the check's time is up.
    public func send(_ action: AMIAction) async throws -> AMIResult {
        try await session.send(action, timeout: max(deadline - .now, .milliseconds(1)))
    }

    /// Every endpoint with its auth and contacts, read once for all checks (``AMIDirectorySync``).
    /// Each of its actions may take the timeout; a large PBX's sync may take longer in all.
    public func directory() async throws -> AMIDirectory {
        try await directories.get(session: session, timeout: timeout)
    }
}

/// The one directory sync of a doctor run, started by the first check that asks.
actor SharedDirectory {
    private var task: Task<AMIDirectory, any Error>?

    func get(session: AMISession, timeout: Duration) async throws -> AMIDirectory {
        if let task { return try await task.value }
        let task = Task { try await AMIDirectorySync.fullSync(session, timeout: timeout) }
        self.task = task
        return try await task.value
    }
}

/// How an AMI action's answer reads for the doctor.
enum AMIAnswer {
    case allowed
    case refused
    case unknown

    init(_ result: AMIResult) {
        let message = result.message.lowercased()
        if !result.isSuccess && message.contains("permission denied") {
            self = .refused
        } else if !result.isSuccess && message.contains("invalid/unknown command") {
            self = .unknown
        } else {
            self = .allowed
        }
    }

    /// A name no endpoint or module has, so that permission probes change nothing.
    static let probeName = "autoprovision-doctor-probe"
}

extension AMIClientError {
    /// The error as a doctor line says it.
    func doctorText(timeout: Duration, configuration: AMIConfiguration) -> String {
        let seconds = timeout.components.seconds
        switch self {
        case .timeout(let action): return "Asterisk did not answer \(action) within \(seconds) s (AMI hung?)"
        case .noBanner:
            return "AMI at \(configuration.host):\(configuration.port) accepted the connection but said nothing within \(seconds) s (AMI hung?)"
        case .connectionFailed(let reason): return "cannot connect to \(reason)"
        case .authenticationFailed(let message): return "login as \(configuration.username) refused (\(message))"
        case .actionFailed(let action, let message): return "\(action) failed (\(message))"
        case .connectionClosed: return "Asterisk closed the AMI connection"
        case .unexpectedResponse: return description
        }
    }
}
