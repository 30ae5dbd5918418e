/// Tests that take UDP 5060 on the host (a PnP listener, or a stand-in for Asterisk holding it),
/// the browser walk-through, and tests that add network interfaces (Chromium aborts its requests
/// with ERR_NETWORK_CHANGED when interfaces come and go) run one at a time, even across suites
/// and test targets, which share one process.
public actor SIPPortLock {
    public static let shared = SIPPortLock()

    private var held = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Runs `body` while no other test holds port 5060.
    public func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    /// Waits for the turn; the caller must ``release()`` it. For test bodies too large to pass as a closure.
    public func acquire() async {
        if held {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            held = true
        }
    }

    public func release() {
        if waiting.isEmpty { held = false } else { waiting.removeFirst().resume() }
    }
}
