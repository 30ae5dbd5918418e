import Synchronization

/// The listeners `serve` waits for before it tells systemd it is ready.
///
/// Each listener reports once, when it is bound or when it has given up and the daemon runs on
/// without it (TFTP or PnP without their privilege); ``wait()`` returns when every one has.
public final class ListenerReadiness: Sendable {
    private struct State {
        var pending: Set<String>
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state: Mutex<State>

    /// - Parameter names: One name per listener that will report.
    public init(waitingFor names: some Sequence<String>) {
        state = Mutex(State(pending: Set(names)))
    }

    /// The listeners that have not reported yet, sorted.
    public var pending: [String] {
        state.withLock { $0.pending.sorted() }
    }

    /// Records that `name` is bound, or will not be; a second report of the same name changes nothing.
    public func settled(_ name: String) {
        let waiters: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.pending.remove(name)
            guard state.pending.isEmpty else { return [] }
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once every listener has reported, or when the calling task is cancelled.
    public func wait() async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    guard !state.pending.isEmpty, !Task.isCancelled else { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
