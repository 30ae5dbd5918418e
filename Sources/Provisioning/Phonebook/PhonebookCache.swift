import Synchronization

/// The last good entries of each external phonebook source, kept in memory.
///
/// Sources are fetched in the background; a phone's request only ever reads
/// this cache, so a slow or dead source never delays it.
public final class PhonebookCache: Sendable {
    private let entries = Mutex<[String: [PhonebookEntry]]>([:])

    public init() {}

    /// Replaces a source's entries after a good fetch.
    public func update(source: String, entries new: [PhonebookEntry]) {
        entries.withLock { $0[source] = new }
    }

    /// Drops sources no longer configured.
    public func retain(sources: Set<String>) {
        entries.withLock { $0 = $0.filter { sources.contains($0.key) } }
    }

    /// Every cached external entry.
    public var all: [PhonebookEntry] {
        entries.withLock { Array($0.values.joined()) }
    }
}
