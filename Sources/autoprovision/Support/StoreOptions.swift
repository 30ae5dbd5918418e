public import ArgumentParser
import Foundation
public import Provisioning

/// The options every command shares: which database file to use.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The SQLite database file (env AUTOPROVISION_DB; under systemd the default is autoprovision.sqlite in $STATE_DIRECTORY).",
            valueName: "path"))
    var db: String?

    /// The file name of the database inside a state directory.
    static let fileName = "autoprovision.sqlite"

    /// `--db`, else `$AUTOPROVISION_DB`, else the file in systemd's `$STATE_DIRECTORY`, else `./autoprovision.sqlite`.
    var path: String {
        Self.path(option: db, environment: ProcessInfo.processInfo.environment)
    }

    /// The database path for `option` and `environment`, in the order ``path`` gives.
    static func path(option: String?, environment: [String: String]) -> String {
        if let option { return option }
        if let explicit = environment["AUTOPROVISION_DB"], !explicit.isEmpty { return explicit }
        // systemd sets STATE_DIRECTORY for StateDirectory=, a colon-separated list when the unit names several;
        // the first is ours (/var/lib/autoprovision).
        if let state = environment["STATE_DIRECTORY"]?.split(separator: ":").first, !state.isEmpty {
            return state.hasSuffix("/") ? "\(state)\(fileName)" : "\(state)/\(fileName)"
        }
        return "./\(fileName)"
    }

    func open() throws(StoreError) -> ProvisioningStore {
        try ProvisioningStore(path: path, defaultHost: HostAddress.primaryIPv4())
    }

    /// The store, without creating a database that does not exist yet.
    func openIfExists() throws(StoreError) -> ProvisioningStore? {
        FileManager.default.fileExists(atPath: path) ? try open() : nil
    }
}

extension Vendor: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(name: argument)
    }
}

extension SettingKey: ExpressibleByArgument {}

/// Parses a MAC argument, turning a bad one into one clear error line.
func parseMAC(_ text: String) throws -> MACAddress {
    do {
        return try MACAddress(parsing: text)
    } catch {
        throw CLIError(error.description)
    }
}
