/// What an admin sees of one phone in a snapshot.
public enum DeviceStatus: Hashable, Sendable {
    /// It gets its own account(s).
    case bound
    /// It gets the guest account until someone binds it.
    case unbound
    /// The MAC lists refuse it.
    case refused(String)
    /// Bound, but the credential source has no password for it yet (phones get 503).
    case waiting(String)

    /// `bound`, `unbound`, `refused` or `waiting`.
    public var name: String {
        switch self {
        case .bound: "bound"
        case .unbound: "unbound"
        case .refused: "refused"
        case .waiting: "waiting"
        }
    }

    /// Why it is refused or waiting.
    public var reason: String? {
        switch self {
        case .bound, .unbound: nil
        case .refused(let reason), .waiting(let reason): reason
        }
    }
}

extension ProvisioningSnapshot {
    /// The status of a phone, or nil when the snapshot does not know it (yet).
    /// - Parameter guestUsername: The guest account's user name, which marks an unbound phone.
    public func status(of mac: MACAddress) -> DeviceStatus? {
        guard let entry = devices[mac] else { return nil }
        switch entry.state {
        case .ready(_, let context):
            return context.lines.count == 1 && context.lines[0].credentials.extensionNumber == settings.guestUsername ? .unbound : .bound
        case .refused(let verdict): return .refused(verdict.reason)
        case .unavailable(let reason): return .waiting(reason)
        }
    }

    /// The file a phone gets and its vendor: `vendor` when given, else the phone's own vendor.
    public func file(for mac: MACAddress, vendor: Vendor? = nil) -> (vendor: Vendor, file: ServedFile)? {
        guard case .ready(let files, _) = devices[mac]?.state else { return nil }
        if let vendor { return files[vendor].map { (vendor, $0) } }
        let chosen = devices[mac]?.vendor ?? (files.count == 1 ? files.keys.first : nil)
        return chosen.flatMap { vendor in files[vendor].map { (vendor, $0) } }
    }

    /// The render context of a ready phone (its lines, keys and settings), for previews.
    public func context(for mac: MACAddress) -> RenderContext? {
        guard case .ready(_, let context) = devices[mac]?.state else { return nil }
        return context
    }
}
