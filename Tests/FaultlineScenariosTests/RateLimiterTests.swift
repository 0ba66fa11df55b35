import Testing
import Synchronization
import FaultlineScenarios

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let time = Mutex<(monotonic: Double, wall: Double)>((100, 1_800_000_000))

    func advance(_ seconds: Double) {
        time.withLock { $0 = ($0.monotonic + seconds, $0.wall + seconds) }
    }

    var read: @Sendable () -> (monotonic: Double, wall: Double) {
        { self.time.withLock { $0 } }
    }
}

@Suite struct RateLimiterTests {
    let group = RateLimiter.Group(id: 1, name: "default", limit: 3, window: 1)

    @Test func countsDownTruthfullyThenRefusesWithTheTimeToTheNextRequest() {
        let clock = ManualClock()
        let limiter = RateLimiter(clock: clock.read)
        let remaining = (0..<3).map { _ in limiter.take(group, key: "k") }
        #expect(remaining.map(\.allowed) == [true, true, true])
        #expect(remaining.map(\.state.remaining) == [2, 1, 0])
        let refused = limiter.take(group, key: "k")
        #expect(!refused.allowed)
        #expect(refused.state.remaining == 0)
        // 3 per second refills one request every 1/3 s: the client is told to wait 1 s (rounded up).
        #expect(refused.state.retryAfter == 1)
        #expect(refused.state.reset == 1_800_000_001)
        clock.advance(1)
        #expect(limiter.take(group, key: "k").allowed)
    }

    @Test func waitingTheAdvertisedRetryAfterIsAlwaysEnough() {
        let clock = ManualClock()
        let limiter = RateLimiter(clock: clock.read)
        let slow = RateLimiter.Group(id: 2, name: "quotes", limit: 30, window: 60)
        for _ in 0..<30 { _ = limiter.take(slow, key: "k") }
        let refused = limiter.take(slow, key: "k")
        #expect(refused.state.retryAfter == 2)
        clock.advance(Double(refused.state.retryAfter! ) - 0.01)
        #expect(!limiter.take(slow, key: "k").allowed)
        clock.advance(0.01)
        #expect(limiter.take(slow, key: "k").allowed)
    }

    @Test func peekingUsesNothingAndKeysAndGroupsAreSeparate() {
        let limiter = RateLimiter(clock: ManualClock().read)
        #expect(limiter.peek(group, key: "a").remaining == 3)
        _ = limiter.take(group, key: "a")
        #expect(limiter.peek(group, key: "a").remaining == 2)
        #expect(limiter.peek(group, key: "a").remaining == 2)
        #expect(limiter.peek(group, key: "b").remaining == 3)
        let other = RateLimiter.Group(id: 9, name: "other", limit: 3, window: 1)
        #expect(limiter.peek(other, key: "a").remaining == 3)
    }

    @Test func keepsAtMostTheConfiguredNumberOfBuckets() {
        let limiter = RateLimiter(maxBuckets: 10, clock: ManualClock().read)
        for i in 0..<50 { _ = limiter.take(group, key: "key-\(i)") }
        for i in 0..<50 { _ = limiter.take(group, key: "key-\(i)") }
        // Whatever was pruned, a key never gets more than its limit within the window.
        for _ in 0..<2 { _ = limiter.take(group, key: "busy") }
        #expect(limiter.take(group, key: "busy").allowed)
        #expect(!limiter.take(group, key: "busy").allowed)
    }

    @Test(arguments: [
        ("aftership=3/1s", RateLimitOverride(vendor: "aftership", limit: 3, window: 1)),
        ("aftership=3/s", RateLimitOverride(vendor: "aftership", limit: 3, window: 1)),
        ("price2b.quotes=2/60s", RateLimitOverride(vendor: "price2b", group: "quotes", limit: 2, window: 60)),
        ("price2b.bulk=5/min", RateLimitOverride(vendor: "price2b", group: "bulk", limit: 5, window: 60)),
        ("generic=100/2m", RateLimitOverride(vendor: "generic", limit: 100, window: 120)),
        // The clock's durations read the same way: milliseconds and days too.
        ("trackbot=10/500ms", RateLimitOverride(vendor: "trackbot", limit: 10, window: 0.5)),
        ("trackbot=1000/1d", RateLimitOverride(vendor: "trackbot", limit: 1000, window: 86_400)),
    ])
    func parsesCommandLineOverrides(_ text: String, _ expected: RateLimitOverride) {
        #expect(RateLimitOverride(parsing: text) == expected)
    }

    @Test(arguments: ["aftership", "aftership=0/1s", "=3/1s", "aftership=3", "aftership=x/1s", "aftership=3/0s", "aftership=1/infs", "aftership=1/1e400s"])
    func rejectsMalformedOverrides(_ text: String) {
        #expect(RateLimitOverride(parsing: text) == nil)
    }
}
