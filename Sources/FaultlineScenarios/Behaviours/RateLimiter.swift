#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// What a client is told about its limit: the `X-RateLimit-*` values and, when it has no
/// request left, how long to wait.
public struct RateLimitState: Sendable, Equatable {
    public var limit: Int
    public var remaining: Int
    /// Unix time (seconds) at which the key's allowance is whole again.
    public var reset: Int
    /// Seconds until the next request is allowed; set only when this one was refused.
    public var retryAfter: Int?
}

/// A token bucket per (group, key): `limit` tokens, refilled continuously at `limit / window`
/// per second. The only shared mutable state of the rate-limit behaviour, behind one lock.
public final class RateLimiter: Sendable {
    public struct Group: Sendable, Equatable {
        public var id: Int
        public var name: String
        public var limit: Int
        public var window: Double

        public init(id: Int, name: String, limit: Int, window: Double) {
            self.id = id
            self.name = name
            self.limit = limit
            self.window = window
        }

        var refillPerSecond: Double { Double(limit) / window }
    }

    private struct BucketKey: Hashable {
        let group: Int
        let key: String
    }

    private struct Bucket {
        var tokens: Double
        var updated: Double
        /// Seconds from `updated` until the bucket is full again.
        var fullIn: Double
    }

    /// Buckets kept at most; past it, buckets that have refilled completely are dropped
    /// (they hold nothing a fresh bucket would not).
    public let maxBuckets: Int
    private let buckets = Mutex<[BucketKey: Bucket]>([:])
    private let clock: @Sendable () -> (monotonic: Double, wall: Double)

    public init(maxBuckets: Int = 100_000, clock: @escaping @Sendable () -> (monotonic: Double, wall: Double) = RateLimiter.systemClock) {
        self.maxBuckets = maxBuckets
        self.clock = clock
    }

    @Sendable public static func systemClock() -> (monotonic: Double, wall: Double) {
        var mono = timespec()
        clock_gettime(CLOCK_MONOTONIC, &mono)
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        return (Double(mono.tv_sec) + Double(mono.tv_nsec) / 1e9, Double(wall.tv_sec) + Double(wall.tv_nsec) / 1e9)
    }

    /// Keys are stored as `ClientName` keeps client names (a long one by its length and hash): a
    /// client sending 16 KB keys must not make 100,000 buckets cost gigabytes.
    private static func storedKey(_ key: String) -> String { ClientName.stored(key) }

    /// Takes one request from the key's allowance, if there is one.
    public func take(_ group: Group, key: String) -> (allowed: Bool, state: RateLimitState) {
        let now = clock()
        return buckets.withLock { buckets in
            let id = BucketKey(group: group.id, key: Self.storedKey(key))
            // One hash for a known client: its bucket is changed where it lies.
            if let index = buckets.index(forKey: id) {
                var bucket = refilled(buckets.values[index], group, now.monotonic)
                let allowed = spend(&bucket, group)
                buckets.values[index] = bucket
                return (allowed, state(bucket, group, now.wall, refused: !allowed))
            }
            var bucket = refilled(nil, group, now.monotonic)
            let allowed = spend(&bucket, group)
            if buckets.count >= maxBuckets { prune(&buckets, now.monotonic) }
            buckets[id] = bucket
            return (allowed, state(bucket, group, now.wall, refused: !allowed))
        }
    }

    /// Takes a token if there is one, and works out when the bucket is full again.
    private func spend(_ bucket: inout Bucket, _ group: Group) -> Bool {
        // A hair of tolerance: a client that waited exactly Retry-After must not miss by rounding.
        let allowed = bucket.tokens >= 1 - 1e-9
        if allowed { bucket.tokens = max(0, bucket.tokens - 1) }
        bucket.fullIn = (Double(group.limit) - bucket.tokens) / group.refillPerSecond
        return allowed
    }

    /// The key's state without using any of it (for responses a test asked for by name).
    public func peek(_ group: Group, key: String) -> RateLimitState {
        let now = clock()
        return buckets.withLock { buckets in
            state(refilled(buckets[BucketKey(group: group.id, key: Self.storedKey(key))], group, now.monotonic), group, now.wall, refused: false)
        }
    }

    /// Forgets every bucket, or one client's.
    public func reset(key: String? = nil) {
        buckets.withLock { buckets in
            if let key {
                let stored = Self.storedKey(key)
                buckets = buckets.filter { $0.key.key != stored }
            } else {
                buckets.removeAll()
            }
        }
    }

    private func refilled(_ bucket: Bucket?, _ group: Group, _ now: Double) -> Bucket {
        guard var bucket else { return Bucket(tokens: Double(group.limit), updated: now, fullIn: 0) }
        bucket.tokens = min(Double(group.limit), bucket.tokens + (now - bucket.updated) * group.refillPerSecond)
        bucket.fullIn = max(0, bucket.fullIn - (now - bucket.updated))
        bucket.updated = now
        return bucket
    }

    private func state(_ bucket: Bucket, _ group: Group, _ wall: Double, refused: Bool) -> RateLimitState {
        let missing = Double(group.limit) - bucket.tokens
        let reset = Int((wall + missing / group.refillPerSecond).rounded(.up))
        // The same hair of tolerance as `take`: 59/60 of a token refilled at 1/60 a second is a
        // second to wait, not the 1.0000000002 that rounds up to two.
        let retryAfter = refused ? max(1, Int(((1 - bucket.tokens) / group.refillPerSecond - 1e-6).rounded(.up))) : nil
        return RateLimitState(limit: group.limit, remaining: max(0, Int(bucket.tokens.rounded(.down))), reset: reset, retryAfter: retryAfter)
    }

    /// Drops buckets that have refilled completely (a fresh bucket is the same); then, down to
    /// three quarters of `maxBuckets`, the least recently used. So a prune (linear in the
    /// buckets) happens at most once per quarter of `maxBuckets` new keys, however the keys come.
    private func prune(_ buckets: inout [BucketKey: Bucket], _ now: Double) {
        buckets = buckets.filter { _, bucket in now - bucket.updated < bucket.fullIn }
        let target = maxBuckets - max(1, maxBuckets / 4)
        guard buckets.count > target else { return }
        let oldest = buckets.sorted { $0.value.updated < $1.value.updated }.prefix(buckets.count - target).map(\.key)
        for key in oldest { buckets[key] = nil }
    }
}
