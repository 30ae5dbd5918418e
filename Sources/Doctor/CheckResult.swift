/// What one check found: one line of `autoprovision doctor`'s output.
public struct CheckResult: Hashable, Sendable, CustomStringConvertible {
    /// Whether the check passed.
    public enum Status: String, Hashable, Sendable {
        /// Everything this check looks at is as a phone needs it.
        case ok
        /// Worth knowing, but no phone is kept from provisioning by it; does not change the exit status.
        case warn
        /// A phone will not provision (or not fully) until this is fixed; the exit status is non-zero.
        case fail
    }

    public var status: Status
    /// The check's short name (`database`, `ami-permissions`).
    public var name: String
    /// What was found, in one sentence.
    public var message: String
    /// What to do about a failure or warning.
    public var fix: String?

    /// - Parameters:
    ///   - status: Passed, worth a look, or failed.
    ///   - name: The check's short name.
    ///   - message: What was found.
    ///   - fix: What to do about it.
    public init(_ status: Status, _ name: String, _ message: String, fix: String? = nil) {
        self.status = status
        self.name = name
        self.message = message
        self.fix = fix
    }

    /// `ok   name: message`, `warn name: message — fix: …` or `FAIL name: message — fix: …`.
    public var line: String {
        let mark =
            switch status {
            case .ok: "ok  "
            case .warn: "warn"
            case .fail: "FAIL"
            }
        return "\(mark) \(name): \(message)" + (fix.map { " — fix: \($0)" } ?? "")
    }

    public var description: String { line }
}
