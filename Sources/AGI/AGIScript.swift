/// What runs for one script path (`agi://host/bind` runs the script registered as `bind`).
public protocol AGIScript: Sendable {
    /// Runs the session.
    /// - Returns: Work to do once the call is over (e.g. reboot the phone), or nil.
    func run(_ call: AGICall) async throws -> (@Sendable () async -> Void)?
}
