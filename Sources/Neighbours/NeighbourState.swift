/// The `NUD_*` state bits of a kernel neighbour entry (linux/neighbour.h).
///
/// Only some states mean "this address is answered by this link-layer address
/// right now"; ``isResolved`` says which.
struct NeighbourState: OptionSet, Hashable, Sendable {
    let rawValue: UInt16

    static let incomplete = NeighbourState(rawValue: 0x01)
    static let reachable = NeighbourState(rawValue: 0x02)
    static let stale = NeighbourState(rawValue: 0x04)
    static let delay = NeighbourState(rawValue: 0x08)
    static let probe = NeighbourState(rawValue: 0x10)
    static let failed = NeighbourState(rawValue: 0x20)
    static let noARP = NeighbourState(rawValue: 0x40)
    static let permanent = NeighbourState(rawValue: 0x80)

    /// The states whose link-layer address is the one the kernel would use (the kernel's `NUD_VALID`).
    static let resolved: NeighbourState = [.reachable, .stale, .delay, .probe, .noARP, .permanent]

    /// Whether the entry names a link-layer address: resolved and neither still resolving nor failed.
    var isResolved: Bool {
        !isDisjoint(with: Self.resolved) && isDisjoint(with: [.incomplete, .failed])
    }
}
