import Foundation
import Provisioning

/// When `asterisk-conf-dir` is set, the dialplan and guest endpoint files there are the ones the store
/// gives now (serve rewrites them whenever they change; a stale file means serve is not running, or
/// cannot write there). The comparison is byte for byte; nothing of the files is printed.
public struct ConfigFilesCheck: DoctorCheck {
    public let name = "asterisk-conf-dir"

    public init() {}

    public func run(_ context: DoctorContext) async -> CheckResult {
        guard let settings = context.settings, let store = context.store else { return context.noSettings(name) }
        let directory = settings.asteriskConfDir
        guard !directory.isEmpty else {
            return CheckResult(.ok, name, "not set: the dialplan and guest endpoint are kept by hand (the Asterisk checks read them)")
        }
        let expected: [(name: String, contents: String)]
        do {
            expected = try store.asteriskConfigFiles(agiAddress: context.agiAddress, showSecret: true)
        } catch {
            return CheckResult(.fail, name, "cannot render the files from the store: \(error)")
        }
        var missing: [String] = []
        var stale: [String] = []
        for file in expected {
            let path = "\(directory)/\(file.name)"
            guard let data = FileManager.default.contents(atPath: path) else {
                missing.append(path)
                continue
            }
            if data != Data(file.contents.utf8) { stale.append(path) }
        }
        guard missing.isEmpty && stale.isEmpty else {
            let problems =
                (missing.isEmpty ? [] : ["missing or unreadable: \(missing.joined(separator: ", "))"])
                + (stale.isEmpty ? [] : ["not what the store gives (for AGI \(context.agiAddress)): \(stale.joined(separator: ", "))"])
            return CheckResult(
                .fail, name, problems.joined(separator: "; "),
                fix:
                    "(re)start autoprovision serve with --agi \(context.agiAddress) (it rewrites them where they differ and reloads Asterisk), or run "
                    + "autoprovision asterisk-conf --agi \(context.agiAddress) --output \(directory), then asterisk -rx 'core reload'")
        }
        return CheckResult(.ok, name, "\(expected.map { "\(directory)/\($0.name)" }.joined(separator: " and ")) are current")
    }
}
