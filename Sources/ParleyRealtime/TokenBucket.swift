import Synchronization

/// A token bucket: `capacity` commands in a burst, refilled at `refillPerSecond`. Time is passed in,
/// so the arithmetic is testable without waiting.
public struct TokenBucket: Sendable {
    public let capacity: Double
    public let refillPerSecond: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant?

    public init(capacity: Double, refillPerSecond: Double) {
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
        self.tokens = capacity
    }

    /// Takes one token if there is one.
    public mutating func take(at now: ContinuousClock.Instant) -> Bool {
        if let last {
            let elapsed = now - last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            tokens = min(capacity, tokens + seconds * refillPerSecond)
        }
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

/// One bucket per organization, shared by all of this instance's sockets of that organization, so
/// one tenant's flood cannot starve the others.
public final class OrganizationRateLimiter: Sendable {
    private let buckets = Mutex<[String: TokenBucket]>([:])
    private let capacity: Double
    private let refillPerSecond: Double

    public init(capacity: Double, refillPerSecond: Double) {
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
    }

    public func take(orgID: String, at now: ContinuousClock.Instant = .now) -> Bool {
        buckets.withLock { buckets in
            buckets[orgID, default: TokenBucket(capacity: capacity, refillPerSecond: refillPerSecond)].take(at: now)
        }
    }
}
