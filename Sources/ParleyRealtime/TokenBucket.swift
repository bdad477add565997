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
        refill(at: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Whether the bucket has refilled completely (it then holds nothing worth remembering).
    public mutating func isFull(at now: ContinuousClock.Instant) -> Bool {
        refill(at: now)
        return tokens >= capacity
    }

    private mutating func refill(at now: ContinuousClock.Instant) {
        if let last {
            let elapsed = now - last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            tokens = min(capacity, tokens + seconds * refillPerSecond)
        }
        last = now
    }
}

/// One bucket per key (an organization, a site, a client address), so one party's flood cannot
/// starve the others. The table is bounded: past `maxKeys`, buckets that have refilled are
/// forgotten first (they hold no debt), then arbitrary ones, so a swarm of addresses cannot grow
/// memory without end.
public final class KeyedRateLimiter: Sendable {
    private let buckets = Mutex<[String: TokenBucket]>([:])
    public let capacity: Double
    public let refillPerSecond: Double
    private let maxKeys: Int

    public init(capacity: Double, refillPerSecond: Double, maxKeys: Int = 100_000) {
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
        self.maxKeys = maxKeys
    }

    public func take(_ key: String, at now: ContinuousClock.Instant = .now) -> Bool {
        buckets.withLock { buckets in
            if buckets[key] == nil, buckets.count >= maxKeys { Self.evict(&buckets, at: now, keeping: maxKeys / 2) }
            return buckets[key, default: TokenBucket(capacity: capacity, refillPerSecond: refillPerSecond)].take(at: now)
        }
    }

    private static func evict(_ buckets: inout [String: TokenBucket], at now: ContinuousClock.Instant, keeping limit: Int) {
        for key in Array(buckets.keys) where buckets[key]?.isFull(at: now) == true { buckets[key] = nil }
        while buckets.count > limit, let key = buckets.keys.first { buckets[key] = nil }
    }

    public var keyCount: Int { buckets.withLock { $0.count } }
}
