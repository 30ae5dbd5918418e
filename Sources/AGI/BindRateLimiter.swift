import Synchronization

/// Limits star-code attempts per caller address, so the star code cannot be used to probe or churn bindings.
public final class BindRateLimiter: Sendable {
    private let attempts = Mutex<[String: [ContinuousClock.Instant]]>([:])
    let limit: Int
    let window: Duration

    /// - Parameters:
    ///   - limit: Attempts allowed per address within `window`.
    ///   - window: The sliding window.
    public init(limit: Int = 5, window: Duration = .seconds(60)) {
        self.limit = limit
        self.window = window
    }

    /// Counts one attempt; false when the address is over its limit.
    public func allow(_ address: String, now: ContinuousClock.Instant = .now) -> Bool {
        attempts.withLock { attempts in
            let recent = (attempts[address] ?? []).filter { now - $0 < window }
            guard recent.count < limit else {
                attempts[address] = recent
                return false
            }
            attempts[address] = recent + [now]
            if attempts.count > 10_000 { attempts = attempts.filter { !$0.value.isEmpty && now - $0.value.last! < window } }
            return true
        }
    }
}
