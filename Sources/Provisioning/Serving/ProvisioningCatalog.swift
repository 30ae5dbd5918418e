import Synchronization

/// The snapshot currently served, shared by every transport.
///
/// Transports read it on every request; the refresher swaps in a new one
/// when the inputs change. One lock, held only to copy a reference.
public final class ProvisioningCatalog: Sendable {
    private let current: Mutex<ProvisioningSnapshot>
    private let invalidated = Atomic<Bool>(false)

    /// - Parameter snapshot: The snapshot to serve until the first refresh.
    public init(snapshot: ProvisioningSnapshot = .empty()) {
        current = Mutex(snapshot)
    }

    /// The snapshot to answer the next request from.
    public var snapshot: ProvisioningSnapshot {
        current.withLock { $0 }
    }

    /// Replaces the served snapshot.
    public func publish(_ snapshot: ProvisioningSnapshot) {
        current.withLock { $0 = snapshot }
    }

    /// Asks for a rebuild on the next refresh tick, for changes the store's revision does not see
    /// (a live credential source that re-synced).
    public func invalidate() {
        invalidated.store(true, ordering: .relaxed)
    }

    func takeInvalidation() -> Bool {
        invalidated.exchange(false, ordering: .relaxed)
    }
}
