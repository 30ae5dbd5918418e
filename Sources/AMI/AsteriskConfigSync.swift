public import Logging
public import Provisioning
public import ServiceLifecycle

/// Keeps the generated dialplan and guest endpoint in `asterisk-conf-dir` current, and reloads
/// the Asterisk modules whose file changed over AMI (`Reload` with `Module:`, which needs the
/// AMI user's `write = system` or `config`).
///
/// The CLI and the admin page change the store, possibly from another process, so this polls
/// the store's revision like the catalog refresher does. A reload that could not be done (no
/// AMI connection yet, Asterisk still booting) stays pending and is retried.
public struct AsteriskConfigSync: Service {
    let store: ProvisioningStore
    let agiAddress: String
    let session: @Sendable () -> AMISession?
    let logger: Logger
    let interval: Duration

    /// The module that reads each file.
    static let modules = ["extensions.conf": "pbx_config", "pjsip.conf": "res_pjsip"]

    /// - Parameters:
    ///   - store: Settings and BLF keys.
    ///   - agiAddress: Where the dialplan's `AGI()` calls the daemon.
    ///   - session: The daemon's AMI session, while connected; nil without AMI.
    ///   - logger: Where writes, reloads and their failures are logged.
    ///   - interval: How often the store's revision is checked.
    public init(
        store: ProvisioningStore, agiAddress: String, session: @escaping @Sendable () -> AMISession?, logger: Logger,
        interval: Duration = .milliseconds(250)
    ) {
        self.store = store
        self.agiAddress = agiAddress
        self.session = session
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var state = State()
            while !Task.isCancelled {
                await self.step(&state)
                try await Task.sleep(for: self.interval)
            }
        }
    }

    enum Problem: Hashable {
        case write
        case reload
    }

    struct State {
        var revision: Int64 = -1
        var directory = ""
        var pendingReloads: Set<String> = []
        /// The last problem logged, by kind (writing, reloading), so each is logged once while it lasts.
        var problems: [Problem: String] = [:]
        var nextReloadAttempt = ContinuousClock.now
    }

    /// One check: write what changed, then reload what is pending.
    func step(_ state: inout State) async {
        do {
            let revision = try store.revision()
            if revision != state.revision || state.problems[.write] != nil {
                let directory = try store.settings().asteriskConfDir
                if directory != state.directory {
                    logger.notice(directory.isEmpty ? "asterisk-conf-dir is off" : "keeping the Asterisk files in \(directory) current")
                    state.directory = directory
                    state.pendingReloads = []
                }
                if !directory.isEmpty {
                    let written = try AsteriskConfigDirectory(path: directory).update(
                        try store.asteriskConfigFiles(agiAddress: agiAddress, showSecret: true)
                    )
                    for name in written {
                        logger.notice("asterisk-conf-dir: wrote \(directory)/\(name)")
                        if let module = Self.modules[name] { state.pendingReloads.insert(module) }
                    }
                }
                state.revision = revision
                report(.write, nil, &state)
            }
        } catch {
            report(.write, "asterisk-conf-dir: \(error); the files there are unchanged", &state)
            return
        }
        guard !state.pendingReloads.isEmpty, ContinuousClock.now >= state.nextReloadAttempt else { return }
        guard let session = session() else {
            report(
                .reload,
                "asterisk-conf-dir: Asterisk not reloaded yet: no AMI connection (or run: asterisk -rx 'module reload pbx_config' and 'module reload res_pjsip')",
                &state)
            state.nextReloadAttempt = ContinuousClock.now + .seconds(1)
            return
        }
        for module in state.pendingReloads.sorted() {
            do {
                let result = try await session.send(AMIAction("Reload", [("Module", module)]), timeout: .seconds(10))
                if result.isSuccess {
                    state.pendingReloads.remove(module)
                    logger.notice("asterisk-conf-dir: reloaded \(module) over AMI")
                } else {
                    let hint = result.message.lowercased().contains("permission") ? " (the AMI user needs write = system or config)" : ""
                    report(.reload, "asterisk-conf-dir: AMI action Reload of \(module) refused: \(result.message)\(hint)", &state)
                    state.nextReloadAttempt = ContinuousClock.now + .seconds(5)
                }
            } catch {
                report(.reload, "asterisk-conf-dir: AMI action Reload of \(module) failed: \(error)", &state)
                state.nextReloadAttempt = ContinuousClock.now + .seconds(2)
            }
        }
        if state.pendingReloads.isEmpty { report(.reload, nil, &state) }
    }

    /// Logs a problem once, not on every tick while it lasts.
    private func report(_ kind: Problem, _ problem: String?, _ state: inout State) {
        guard problem != state.problems[kind] else { return }
        if let problem {
            logger.error("\(problem)")
        } else {
            logger.notice("asterisk-conf-dir: \(kind == .write ? "files" : "reload") back in order")
        }
        state.problems[kind] = problem
    }
}
