import Provisioning

/// One of `serve`'s ports is either held by `serve` itself or free for it.
///
/// The port's holder is found through the kernel's socket tables and each process's descriptors,
/// so it works for UDP as for TCP and needs no protocol exchange. Another user's processes are
/// hidden from a non-root user; then the line says the holder is unknown.
public struct PortCheck: DoctorCheck {
    /// Which of the daemon's listeners this is.
    public enum Listener: String, Sendable {
        case http = "http-port"
        case https = "https-port"
        case tftp
        case agi
    }

    public let listener: Listener
    let sockets: SocketTable
    let processes: ProcessTable
    public var name: String { listener.rawValue }

    /// - Parameters:
    ///   - listener: The listener whose port is checked.
    ///   - sockets: The socket tables; `/proc/net`.
    ///   - processes: The process table; `/proc`.
    public init(_ listener: Listener, sockets: SocketTable = SocketTable(), processes: ProcessTable = ProcessTable()) {
        self.listener = listener
        self.sockets = sockets
        self.processes = processes
    }

    public func run(_ context: DoctorContext) async -> CheckResult {
        guard let settings = context.settings else { return context.noSettings(name) }
        let port: Int?
        let transport: SocketTable.Transport
        let fix: String
        switch listener {
        case .http:
            (port, transport, fix) = (settings.httpPort, .tcp, "stop that program, or move ours: autoprovision settings set http-port N")
        case .https:
            (port, transport, fix) = (settings.httpsPort, .tcp, "stop that program, or move ours: autoprovision settings set https-port N")
        case .tftp:
            guard settings.tftpEnabled else {
                return CheckResult(.ok, name, "off (autoprovision settings set tftp on serves phones that use DHCP option 66)")
            }
            (port, transport, fix) = (
                DoctorContext.hostPort(context.tftpAddress).port, .udp, "stop that TFTP server, or move ours: serve --tftp HOST:PORT"
            )
        case .agi:
            (port, transport, fix) = (DoctorContext.hostPort(context.agiAddress).port, .tcp, "stop that program, or move ours: serve --agi HOST:PORT")
        }
        guard let port else { return CheckResult(.fail, name, "no port to check", fix: fix) }
        let label = "\(port)/\(transport.rawValue)"
        let holders = sockets.holders(port: port, transport: transport)
        guard !holders.isEmpty else { return CheckResult(.ok, name, "\(label) free: serve can listen on it") }
        let owners = processes.owners(of: holders)
        if let ours = owners.first(where: { $0.name == ProcessTable.daemonName }) {
            return CheckResult(.ok, name, "\(label) listening: autoprovision (pid \(ours.pid))")
        }
        guard !owners.isEmpty else {
            return CheckResult(
                .warn, name, "\(label) is held by a process this user cannot see", fix: "run doctor as root to tell whether it is autoprovision serve"
            )
        }
        let names = owners.map { "\($0.name) (pid \($0.pid))" }.joined(separator: ", ")
        return CheckResult(.fail, name, "\(label) is held by \(names): serve cannot listen on it", fix: fix)
    }
}
