public import AMI
import Foundation
public import Provisioning

/// What every check may look at: the store and its settings, and where `serve` listens.
public struct DoctorContext: Sendable {
    /// The database file the checks were asked about.
    public var databasePath: String
    /// The store, when the file exists and opened; nil otherwise (the database check says why).
    public var store: ProvisioningStore?
    /// The store's settings, when it opened.
    public var settings: PnPSettings?
    /// Where `serve --agi` listens (and the dialplan must call).
    public var agiAddress: String
    /// Where `serve --tftp` listens when the tftp setting is on.
    public var tftpAddress: String
    /// How to log in to Asterisk; nil when no AMI address was given.
    public var ami: AMIConfiguration?
    /// How long any one AMI exchange may take before its check says Asterisk did not answer.
    public var amiTimeout: Duration

    /// - Parameters:
    ///   - databasePath: The database file.
    ///   - store: The opened store, if it opened.
    ///   - settings: Its settings.
    ///   - agiAddress: `serve --agi` (`127.0.0.1:4573`).
    ///   - tftpAddress: `serve --tftp` (`0.0.0.0:69`).
    ///   - ami: The AMI login, if any.
    ///   - amiTimeout: The longest any AMI exchange may take; 5 s.
    public init(
        databasePath: String, store: ProvisioningStore?, settings: PnPSettings?, agiAddress: String = "127.0.0.1:4573",
        tftpAddress: String = "0.0.0.0:69", ami: AMIConfiguration?, amiTimeout: Duration = .seconds(5)
    ) {
        self.databasePath = databasePath
        self.store = store
        self.settings = settings
        self.agiAddress = agiAddress
        self.tftpAddress = tftpAddress
        self.ami = ami
        self.amiTimeout = amiTimeout
    }

    /// Opens the store at `databasePath` if the file exists, without creating one.
    /// - Parameters:
    ///   - databasePath: The database file.
    ///   - agiAddress: `serve --agi`.
    ///   - tftpAddress: `serve --tftp`.
    ///   - ami: The AMI login, if any.
    public static func open(databasePath: String, agiAddress: String, tftpAddress: String, ami: AMIConfiguration?) -> DoctorContext {
        var store: ProvisioningStore?
        var settings: PnPSettings?
        if FileManager.default.fileExists(atPath: databasePath) {
            store = try? ProvisioningStore(path: databasePath)
            settings = try? store?.settings()
        }
        return DoctorContext(databasePath: databasePath, store: store, settings: settings, agiAddress: agiAddress, tftpAddress: tftpAddress, ami: ami)
    }

    /// The line of a check that needs the settings when the store did not open.
    func noSettings(_ name: String) -> CheckResult {
        CheckResult(.fail, name, "not checked: the database \(databasePath) did not open (see the database line)")
    }

    /// `HOST:PORT` split; the port is nil when it is not a number.
    static func hostPort(_ text: String) -> (host: String, port: Int?) {
        guard let colon = text.lastIndex(of: ":") else { return (text, nil) }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, Int(text[text.index(after: colon)...]))
    }
}
