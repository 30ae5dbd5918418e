public import ArgumentParser
import Foundation
public import Provisioning

/// The options every command shares: which database file to use.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite database file (env AUTOPROVISION_DB).", valueName: "path"))
    var db: String?

    /// `--db`, else `$AUTOPROVISION_DB`, else `./autoprovision.sqlite`.
    var path: String {
        db ?? ProcessInfo.processInfo.environment["AUTOPROVISION_DB"] ?? "./autoprovision.sqlite"
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
