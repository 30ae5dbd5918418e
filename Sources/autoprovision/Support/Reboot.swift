import AMI
import Discovery
import Logging
import Provisioning

/// Makes one phone re-provision: through Asterisk when AMI is configured, else straight over UDP.
enum Reboot {
    /// The daemon's own NOTIFY, answering a challenge with the account the phone is registered with.
    static let direct: @Sendable (CheckSyncTarget) async throws -> String = { target in
        let credentials = target.credentials.map { (username: $0.authUsername, password: $0.password) }
        return try await CheckSyncSender.send(
            requestURI: target.uri, host: target.host, port: target.port, credentials: credentials, event: CheckSyncNotifier.event
        ).description
    }

    /// From the daemon: through its live AMI connection and last sync, when there is one.
    static func phone(_ mac: MACAddress, store: ProvisioningStore, client: AMIClient?, logger: Logger) async -> NotifyOutcome {
        let phoneIP = (try? store.device(mac: mac))??.device.lastIP
        return await CheckSyncNotifier(logger: logger).notify(
            phoneIP: phoneIP, session: client?.session, directory: client?.credentials.directory, direct: direct
        )
    }

    static func phone(_ mac: MACAddress, store: ProvisioningStore, ami: AMIConfiguration?) async throws -> NotifyOutcome {
        guard let device = try store.device(mac: mac) else { throw CLIError("no device with MAC \(mac)") }
        var logger = Logger(label: "autoprovision.reboot")
        logger.logLevel = .error
        let notifier = CheckSyncNotifier(logger: logger)
        let phoneIP = device.device.lastIP
        guard let ami else {
            return await notifier.notify(phoneIP: phoneIP, session: nil, directory: nil, direct: direct)
        }
        do {
            return try await AMIConnector.withSession(ami, logger: logger) { session in
                let directory = try await AMIDirectorySync.fullSync(session, timeout: ami.requestTimeout)
                return await notifier.notify(phoneIP: phoneIP, session: session, directory: directory, direct: direct)
            }
        } catch {
            // Asterisk is unreachable: the phone may still be.
            return await notifier.notify(phoneIP: phoneIP, session: nil, directory: nil, direct: direct)
        }
    }
}
