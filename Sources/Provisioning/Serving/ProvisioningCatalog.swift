import Synchronization

/// The snapshot currently served, shared by every transport.
///
/// Transports read it on every request; the refresher swaps in a new one
/// when the inputs change. One lock, held only to copy a reference.
///
/// A connection that answers many requests keeps the ``PublishedSnapshot`` it
/// last read and compares ``generation`` before each one: an atomic load of a
/// value that changes only on publish, so the event loops share the cache line
/// instead of passing the lock's between them.
public final class ProvisioningCatalog: Sendable {
    private let current: Mutex<PublishedSnapshot>
    private let currentGeneration = Atomic<Int>(0)
    private let invalidated = Atomic<Bool>(false)

    /// - Parameter snapshot: The snapshot to serve until the first refresh.
    public init(snapshot: ProvisioningSnapshot = .empty()) {
        current = Mutex(PublishedSnapshot(snapshot: snapshot, generation: 0))
    }

    /// The snapshot to answer the next request from.
    public var snapshot: ProvisioningSnapshot {
        current.withLock { $0 }.snapshot
    }

    /// The snapshot to answer the next request from, with its generation.
    public var published: PublishedSnapshot {
        current.withLock { $0 }
    }

    /// Grows by one with each ``publish(_:)``.
    public var generation: Int {
        currentGeneration.load(ordering: .acquiring)
    }

    /// Replaces the served snapshot.
    public func publish(_ snapshot: ProvisioningSnapshot) {
        let generation = current.withLock { current in
            current = PublishedSnapshot(snapshot: snapshot, generation: current.generation + 1)
            return current.generation
        }
        currentGeneration.store(generation, ordering: .releasing)
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

/// One published snapshot, shared by reference: holding it costs one retain however
/// large the snapshot is.
public final class PublishedSnapshot: Sendable {
    public let snapshot: ProvisioningSnapshot
    /// The catalog's ``ProvisioningCatalog/generation`` when this was published.
    public let generation: Int

    init(snapshot: ProvisioningSnapshot, generation: Int) {
        self.snapshot = snapshot
        self.generation = generation
    }
}
