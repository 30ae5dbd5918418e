public import Logging
public import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Tells systemd how the daemon is doing (`Type=notify`): `READY=1` once every listener has reported,
/// `STATUS=` lines whenever the status text changes, `WATCHDOG=1` at half the interval systemd asks for,
/// and `STOPPING=1` when the daemon begins to stop.
///
/// Without `NOTIFY_SOCKET` it does nothing. A socket that cannot be reached costs one warning; the
/// daemon runs on. List it last in the service group: the group stops its services in reverse order,
/// so systemd hears `STOPPING=1` before the listeners close.
public struct SystemdNotifyService: Service {
    let notifier: SystemdNotifier?
    let watchdogInterval: Duration?
    let readiness: ListenerReadiness
    let status: @Sendable () -> String
    let statusInterval: Duration
    let logger: Logger
    private let warned = WarnedOnce()

    /// - Parameters:
    ///   - environment: The process environment: `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID`.
    ///   - readiness: `READY=1` waits for it.
    ///   - statusInterval: How often the status text is looked at; a changed one is sent.
    ///   - logger: Gets the one warning an unusable or unreachable socket costs.
    ///   - status: The status line systemd shows (`systemctl status`), for example "serving 412 phones; AMI connected".
    public init(
        environment: [String: String], readiness: ListenerReadiness, statusInterval: Duration = .seconds(10), logger: Logger,
        status: @escaping @Sendable () -> String
    ) {
        var notifier: SystemdNotifier?
        do {
            notifier = try SystemdNotifier(environment: environment)
        } catch {
            logger.warning("\(error); systemd will not be told when the daemon is ready")
            _ = warned.first()
        }
        self.notifier = notifier
        self.watchdogInterval = notifier == nil ? nil : Self.watchdogInterval(environment, pid: getpid())
        self.readiness = readiness
        self.status = status
        self.statusInterval = statusInterval
        self.logger = logger
    }

    /// Half of `WATCHDOG_USEC`, when it is set and `WATCHDOG_PID` is unset or this process.
    static func watchdogInterval(_ environment: [String: String], pid: pid_t) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], !owner.isEmpty, owner != String(pid) { return nil }
        return .microseconds(Int64(clamping: microseconds / 2))
    }

    public func run() async throws {
        guard let notifier else {
            try? await gracefulShutdown()
            return
        }
        logger.debug("telling systemd through NOTIFY_SOCKET \(notifier)\(watchdogInterval.map { ", watchdog every \($0)" } ?? "")")
        try? await cancelWhenGracefulShutdown {
            await readiness.wait()
            guard !Task.isCancelled else { return }
            var shown = status()
            send("READY=1\nSTATUS=\(shown)", with: notifier)
            let tick = min(watchdogInterval ?? statusInterval, statusInterval)
            var statusDue = ContinuousClock.now + statusInterval
            while !Task.isCancelled {
                try await Task.sleep(for: tick)
                if watchdogInterval != nil { send("WATCHDOG=1", with: notifier) }
                guard ContinuousClock.now >= statusDue else { continue }
                statusDue = ContinuousClock.now + statusInterval
                let current = status()
                if current != shown {
                    shown = current
                    send("STATUS=\(current)", with: notifier)
                }
            }
        }
        send("STOPPING=1", with: notifier)
    }

    private func send(_ message: String, with notifier: SystemdNotifier) {
        do {
            try notifier.send(message)
        } catch {
            // Once: a socket that is gone stays gone, and the journal should not fill with it.
            if warned.first() { logger.warning("\(error); the daemon runs on without telling systemd") }
        }
    }
}

/// Whether the one warning has been given: true for the first caller only.
private final class WarnedOnce: Sendable {
    private let given = Atomic(false)

    func first() -> Bool {
        !given.exchange(true, ordering: .relaxed)
    }
}
