import Synchronization

/// Counts TLS handshakes in progress per peer address, so one address stalling handshakes
/// (a slowloris on the handshake) holds a bounded number of connections.
final class HandshakeLimiter: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    let maximumPerAddress: Int

    init(maximumPerAddress: Int) {
        self.maximumPerAddress = maximumPerAddress
    }

    /// Takes a slot for `address`; false when it already holds the maximum.
    func acquire(_ address: String) -> Bool {
        counts.withLock { counts in
            let held = counts[address, default: 0]
            guard held < maximumPerAddress else { return false }
            counts[address] = held + 1
            return true
        }
    }

    /// Gives back a slot taken with ``acquire(_:)``.
    func release(_ address: String) {
        counts.withLock { counts in
            let held = counts[address, default: 0]
            // Removing the entry at zero keeps the table as small as the handshakes in progress.
            counts[address] = held > 1 ? held - 1 : nil
        }
    }

    /// Handshakes in progress from `address`.
    func held(by address: String) -> Int {
        counts.withLock { $0[address, default: 0] }
    }
}
