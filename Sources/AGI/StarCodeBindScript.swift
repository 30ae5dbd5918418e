public import Logging
public import Provisioning

/// The `/bind` script: a phone dials the star code plus an extension and becomes that extension's phone.
///
/// The caller's address comes from the channel (else from a `Via` header the
/// dialplan passes), the MAC from the kernel's neighbour table; then the
/// extension must have credentials and the MAC must pass the lists. The result
/// is set as `PROVISION_STATUS`, written to the audit log, and on success the
/// phone is told to re-provision once the call is over.
public struct StarCodeBindScript: AGIScript {
    let store: ProvisioningStore
    let credentials: any CredentialSource
    let neighbours: NeighbourTable
    let limiter: BindRateLimiter
    let logger: Logger
    let rebootDelay: Duration
    let reboot: @Sendable (MACAddress) async -> Void
    let settings: @Sendable () throws -> PnPSettings
    let metrics: BindMetrics

    /// - Parameters:
    ///   - store: Settings, devices and the audit log.
    ///   - credentials: Which extensions exist.
    ///   - neighbours: IP to MAC.
    ///   - limiter: Attempts per caller address.
    ///   - logger: Where every attempt is logged.
    ///   - rebootDelay: The wait after the call before the phone is rebooted.
    ///   - settings: The current settings; the daemon passes its in-memory snapshot's, so a call costs no settings read.
    ///   - metrics: Where each bind's status is counted.
    ///   - reboot: Sends the check-sync NOTIFY to one phone.
    public init(
        store: ProvisioningStore, credentials: any CredentialSource, neighbours: NeighbourTable = NeighbourTable(),
        limiter: BindRateLimiter = BindRateLimiter(), logger: Logger, rebootDelay: Duration = .seconds(2),
        settings: (@Sendable () throws -> PnPSettings)? = nil, metrics: BindMetrics = BindMetrics(),
        reboot: @escaping @Sendable (MACAddress) async -> Void
    ) {
        self.settings = settings ?? { [store] in try store.settings() }
        self.store = store
        self.credentials = credentials
        self.neighbours = neighbours
        self.limiter = limiter
        self.logger = logger
        self.rebootDelay = rebootDelay
        self.reboot = reboot
        self.metrics = metrics
    }

    /// DECT bases number handsets in the Call-ID (`0_47643482@...` is line 1).
    static func isDECTBase(model: String?) -> Bool {
        guard var model = model?.uppercased() else { return false }
        for prefix in ["YEALINK", "SIP-", " "] where model.hasPrefix(prefix) { model.removeFirst(prefix.count) }
        return model.hasPrefix("W") && model.dropFirst().first?.isNumber == true
    }

    static func line(fromCallID callID: String) -> Int? {
        guard let underscore = callID.firstIndex(of: "_"), let index = Int(callID[..<underscore]), (0..<16).contains(index) else { return nil }
        return index + 1
    }

    public func run(_ call: AGICall) async throws -> (@Sendable () async -> Void)? {
        var attempt = Attempt()
        let status: ProvisionStatus
        do {
            status = try await bind(call, &attempt)
        } catch let error as StoreError {
            attempt.note = "store error: \(error)"
            status = .error
        }
        let summary =
            "star-code bind from \(attempt.ip ?? "?") MAC \(attempt.mac?.description ?? "?") extension \(attempt.extensionNumber ?? "?") line \(attempt.line): \(status.rawValue)\(attempt.note.map { " (\($0))" } ?? "")"
        if status == .ok { logger.notice("\(summary)") } else { logger.warning("\(summary)") }
        metrics.bind(status)
        if status != .ok {
            try? store.recordRefusedBind(
                mac: attempt.mac, line: attempt.line, extensionNumber: attempt.extensionNumber, actor: "agi",
                detail: "caller \(attempt.ip ?? "?"): \(status.rawValue)\(attempt.note.map { ", \($0)" } ?? "")"
            )
        }
        // The outcome is the dialplan's to show; our own log has the details.
        _ = try? await call.setVariable("PROVISION_STATUS", status.rawValue)
        guard status == .ok, let mac = attempt.mac else { return nil }
        let delay = rebootDelay
        let reboot = reboot
        return {
            try? await Task.sleep(for: delay)
            await reboot(mac)
        }
    }

    struct Attempt {
        var ip: String?
        var mac: MACAddress?
        var extensionNumber: String?
        var line = 1
        var note: String?
    }

    private func bind(_ call: AGICall, _ attempt: inout Attempt) async throws -> ProvisionStatus {
        let settings = try self.settings()
        let environment = call.environment
        // 1. The extension: from the dialplan's first argument, else from the dialled number.
        if let argument = environment.arguments.first, !argument.isEmpty {
            attempt.extensionNumber = argument
        } else if let dialled = environment.extensionNumber {
            guard let number = ExtensionTemplate(settings.extensionTemplate).extensionNumber(in: dialled) else {
                attempt.note = "'\(dialled)' does not follow the template \(settings.extensionTemplate)"
                return .extensionNotFound
            }
            attempt.extensionNumber = number
        } else {
            attempt.note = "no agi_extension and no argument"
            return .error
        }
        // 2. The caller's address: the channel's real remote address, else the Via header the dialplan passed.
        var caller: CallerAddress?
        if let remote = try await call.getVariable("CHANNEL(pjsip,remote_addr)"), let host = CallerAddress.host(ofRemoteAddress: remote),
            !host.isEmpty
        {
            caller = CallerAddress(ip: host, source: .channel)
        } else if environment.arguments.count >= 2, let host = CallerAddress.host(ofVia: environment.arguments[1]) {
            caller = CallerAddress(ip: host, source: .via)
        }
        guard let caller else {
            attempt.note = "the caller's address is not known"
            return .phoneNotFound
        }
        attempt.ip = caller.ip
        guard NeighbourTable.isIPAddress(caller.ip) else {
            attempt.note = "'\(caller.ip)' is not an IP address"
            return .phoneNotFound
        }
        guard limiter.allow(caller.ip) else {
            attempt.note = "too many attempts from this address"
            return .denied
        }
        // 3. The MAC, from the kernel.
        guard let mac = await neighbours.resolve(caller.ip) else {
            attempt.note = "no complete neighbour entry for \(caller.ip)"
            return .phoneNotFound
        }
        attempt.mac = mac
        // 4. The extension must exist in the credential source.
        guard let number = attempt.extensionNumber else { return .error }
        do {
            guard try await credentials.credentials(for: [number])[number] != nil else {
                attempt.note = "extension has no credentials"
                return .extensionNotFound
            }
        } catch {
            attempt.note = "\(error)"
            return .error
        }
        // 5. The MAC lists.
        let verdict = settings.admits(mac)
        guard verdict == .allowed else {
            attempt.note = verdict.reason
            return .denied
        }
        // 6. A bound phone is re-bound only from its own address, as the channel reports it.
        let device = try store.device(mac: mac)
        if let device, !device.lines.isEmpty, caller.source != .channel {
            attempt.note = "phone is already bound and the caller's address came from a Via header"
            return .denied
        }
        if Self.isDECTBase(model: device?.device.model), let callID = try await call.getVariable("CHANNEL(pjsip,call-id)"),
            let line = Self.line(fromCallID: callID)
        {
            attempt.line = line
        }
        try store.bind(
            mac: mac, extensionNumber: number, line: attempt.line, actor: "agi", createWithVendor: .some(OUITable.vendor(for: mac)),
            detail: "caller \(caller.ip) (\(caller.source.rawValue)): OK", seenAt: caller.ip
        )
        return .ok
    }
}
