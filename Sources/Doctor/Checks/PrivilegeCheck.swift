import Foundation
import Provisioning

/// `serve` has the privileges PnP discovery and TFTP need: `CAP_NET_RAW` for the packet socket that
/// reads the PnP multicast while Asterisk holds UDP 5060, `CAP_NET_BIND_SERVICE` for TFTP on a port
/// below `ip_unprivileged_port_start` (69).
///
/// It looks at the running `serve` when there is one, else at this process (a `serve` started the
/// same way gets the same capabilities).
public struct PrivilegeCheck: DoctorCheck {
    /// Which privilege this is.
    public enum Need: String, Sendable {
        case pnp = "pnp-privilege"
        case tftp = "tftp-privilege"
    }

    public let need: Need
    let sockets: SocketTable
    let processes: ProcessTable
    let unprivilegedPortStart: @Sendable () -> Int
    public var name: String { need.rawValue }

    /// - Parameters:
    ///   - need: The privilege to check.
    ///   - sockets: The socket tables; `/proc/net`.
    ///   - processes: The process table; `/proc`.
    ///   - unprivilegedPortStart: The lowest port anyone may bind; from `/proc/sys`.
    public init(
        _ need: Need, sockets: SocketTable = SocketTable(), processes: ProcessTable = ProcessTable(),
        unprivilegedPortStart: @escaping @Sendable () -> Int = PrivilegeCheck.systemUnprivilegedPortStart
    ) {
        self.need = need
        self.sockets = sockets
        self.processes = processes
        self.unprivilegedPortStart = unprivilegedPortStart
    }

    /// `net.ipv4.ip_unprivileged_port_start`; 1024 when it cannot be read.
    public static func systemUnprivilegedPortStart() -> Int {
        (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_unprivileged_port_start", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 1024
    }

    static let fix =
        "give serve the capability: AmbientCapabilities=CAP_NET_RAW CAP_NET_BIND_SERVICE in its systemd unit, "
        + "or setcap cap_net_raw,cap_net_bind_service+ep on the autoprovision binary, or run it as root"

    public func run(_ context: DoctorContext) async -> CheckResult {
        let bit: Int
        let capability: String
        let why: String
        switch need {
        case .pnp:
            let sip = sockets.holders(port: 5060, transport: .udp)
            guard !sip.isEmpty else {
                return CheckResult(.ok, name, "UDP 5060 is free: PnP discovery listens with an ordinary socket and needs no privilege")
            }
            let holder = processes.owners(of: sip).first.map { " (by \($0.name), pid \($0.pid))" } ?? ""
            (bit, capability, why) = (Capabilities.netRaw, "CAP_NET_RAW", "which PnP discovery needs while UDP 5060 is held\(holder)")
        case .tftp:
            guard let settings = context.settings else { return context.noSettings(name) }
            guard settings.tftpEnabled else { return CheckResult(.ok, name, "TFTP is off: no privilege needed") }
            guard let port = DoctorContext.hostPort(context.tftpAddress).port else {
                return CheckResult(.fail, name, "\(context.tftpAddress) has no port", fix: "serve --tftp HOST:PORT")
            }
            let start = unprivilegedPortStart()
            guard port < start else { return CheckResult(.ok, name, "TFTP port \(port) needs no privilege (ports from \(start) are open to all)") }
            (bit, capability, why) = (Capabilities.netBindService, "CAP_NET_BIND_SERVICE", "which TFTP on port \(port) needs")
        }
        let daemon = processes.daemon()
        if need == .pnp, let daemon, daemon.arguments.contains("--no-pnp") {
            return CheckResult(.ok, name, "serve (pid \(daemon.pid)) runs with --no-pnp: no privilege needed")
        }
        let who = daemon.map { "serve (pid \($0.pid))" } ?? "this process (no serve is running; one started the same way gets the same)"
        guard let capabilities = processes.capabilities(of: daemon?.pid) else {
            return CheckResult(.warn, name, "cannot read the capabilities of \(who)", fix: "run doctor as root")
        }
        guard capabilities.has(bit) else { return CheckResult(.fail, name, "\(who) lacks \(capability), \(why)", fix: Self.fix) }
        return CheckResult(.ok, name, "\(who) has \(capability), \(why)")
    }
}
