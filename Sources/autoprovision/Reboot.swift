import AMI
import Logging
import Provisioning

/// Makes one phone re-provision: through Asterisk when AMI is configured, else straight over UDP.
enum Reboot {
    /// From the daemon: through its live AMI connection and last sync, when there is one.
    static func phone(_ mac: MACAddress, store: ProvisioningStore, client: AMIClient?, logger: Logger) async -> NotifyOutcome {
        let phoneIP = (try? store.device(mac: mac))??.device.lastIP
        return await CheckSyncNotifier(logger: logger).notify(
            phoneIP: phoneIP, session: client?.session, directory: client?.credentials.directory
        ) { host, port, user in
            try await SIPCheckSyncSender.send(to: host, port: port, user: user)
        }
    }

    static func phone(_ mac: MACAddress, store: ProvisioningStore, ami: AMIConfiguration?) async throws -> NotifyOutcome {
        guard let device = try store.device(mac: mac) else { throw CLIError("no device with MAC \(mac)") }
        var logger = Logger(label: "autoprovision.reboot")
        logger.logLevel = .error
        let notifier = CheckSyncNotifier(logger: logger)
        let direct: @Sendable (String, Int, String?) async throws -> Void = { host, port, user in
            try await SIPCheckSyncSender.send(to: host, port: port, user: user)
        }
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
