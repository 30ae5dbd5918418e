import Provisioning

/// The `pbx-host` setting, which every phone's file names as its registrar and provisioning server,
/// is an address of this host or a name that resolves to one.
public struct PBXHostCheck: DoctorCheck {
    public let name = "pbx-host"
    let localAddresses: @Sendable () -> [(address: String, interface: String)]

    public init() {
        self.init(localAddresses: { HostAddresses.local() })
    }

    /// - Parameter localAddresses: This host's addresses, with their interfaces.
    init(localAddresses: @escaping @Sendable () -> [(address: String, interface: String)]) {
        self.localAddresses = localAddresses
    }

    public func run(_ context: DoctorContext) async -> CheckResult {
        guard let settings = context.settings else { return context.noSettings(name) }
        let host = settings.pbxHost
        let local = localAddresses()
        let shown = local.filter { !HostAddresses.isLoopback($0.address) && !$0.address.hasPrefix("fe80") }.map(\.address)
        let fix =
            "autoprovision settings set pbx-host ADDRESS, with the address phones reach this host at"
            + (shown.isEmpty ? "" : " (this host has \(shown.joined(separator: ", ")))")
        guard !host.isEmpty else { return CheckResult(.fail, name, "not set: phones' files name no server", fix: fix) }
        let resolved: [String]
        if HostAddresses.isNumeric(host) {
            resolved = [host]
        } else {
            switch HostAddresses.resolve(host) {
            case .success(let addresses): resolved = addresses
            case .failure(let error): return CheckResult(.fail, name, "\(host) does not resolve: \(error.reason)", fix: fix)
            }
        }
        guard let match = resolved.lazy.compactMap({ address in local.first { $0.address == address } }).first else {
            let what =
                resolved == [host]
                ? "\(host) is not an address of this host" : "\(host) resolves to \(resolved.joined(separator: ", ")), not an address of this host"
            return CheckResult(.fail, name, what, fix: fix)
        }
        let what = match.address == host ? host : "\(host) resolves to \(match.address), which"
        if HostAddresses.isLoopback(match.address) {
            return CheckResult(.warn, name, "\(what) is loopback: phones on the network cannot reach it", fix: fix)
        }
        return CheckResult(.ok, name, "\(what) is an address of this host (\(match.interface))")
    }
}
