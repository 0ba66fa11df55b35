#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The time the emulation lives in: rate-limit buckets, `Retry-After`, `X-RateLimit-Reset`,
/// `{{now}}` and every expiry computed from it. It runs with the real clocks until a test
/// freezes or advances it (`POST /__faultline/clock`), so a 24-hour quote expiry takes a
/// millisecond. Bookkeeping stays on real time: the `Date` header, the journal, log lines and
/// how long a client has been idle.
public final class EmulationClock: Sendable {
    /// Nanoseconds the emulation is ahead of the real clocks.
    private let offset = Atomic<Int64>(0)
    /// The real monotonic instant (ns) it was frozen at; `Int64.min` while it runs.
    private let frozenAt = Atomic<Int64>(.min)
    /// Serialises the rare changes; reads take no lock.
    private let changes = Mutex<Void>(())

    public init() {}

    /// How far ahead of the real clocks the emulation may be moved: a century.
    public static let maxOffsetSeconds: Double = 100 * 365.25 * 86_400

    /// Monotonic and wall-clock seconds, as the emulation sees them.
    @Sendable public func now() -> (monotonic: Double, wall: Double) {
        let (mono, wall) = Self.realNanoseconds()
        let shift = shift(atRealMonotonic: mono)
        return (Double(mono &+ shift) / 1e9, Double(wall &+ shift) / 1e9)
    }

    /// Wall-clock seconds since the epoch, as the emulation sees them (templates' `now`).
    public func wallSeconds() -> time_t {
        if offset.load(ordering: .relaxed) == 0 && frozenAt.load(ordering: .relaxed) == .min { return time(nil) }
        return time_t(now().wall.rounded(.down))
    }

    public var isFrozen: Bool { frozenAt.load(ordering: .relaxed) != .min }

    /// Seconds the emulation is ahead of real time right now (frozen time falls behind).
    public var aheadSeconds: Double {
        Double(shift(atRealMonotonic: Self.realNanoseconds().mono)) / 1e9
    }

    /// Stops the emulation's time where it is.
    public func freeze() {
        changes.withLock { _ in
            if frozenAt.load(ordering: .relaxed) == .min { frozenAt.store(Self.realNanoseconds().mono, ordering: .relaxed) }
        }
    }

    /// Lets it run again from where it stood: no jump forward for the time it was frozen.
    public func resume() {
        changes.withLock { _ in
            let frozen = frozenAt.load(ordering: .relaxed)
            guard frozen != .min else { return }
            offset.store(offset.load(ordering: .relaxed) &- (Self.realNanoseconds().mono &- frozen), ordering: .relaxed)
            frozenAt.store(.min, ordering: .relaxed)
        }
    }

    /// Moves it forward by `seconds` (0 to `maxOffsetSeconds`); false when out of range.
    @discardableResult
    public func advance(by seconds: Double) -> Bool {
        guard seconds.isFinite, seconds >= 0, seconds <= Self.maxOffsetSeconds else { return false }
        return changes.withLock { _ in
            let moved = offset.load(ordering: .relaxed) &+ Int64(seconds * 1e9)
            guard Double(moved) / 1e9 <= Self.maxOffsetSeconds else { return false }
            offset.store(moved, ordering: .relaxed)
            return true
        }
    }

    /// Back to the real clocks, running.
    public func reset() {
        changes.withLock { _ in
            offset.store(0, ordering: .relaxed)
            frozenAt.store(.min, ordering: .relaxed)
        }
    }

    /// Nanoseconds to add to a real reading taken at `mono`.
    private func shift(atRealMonotonic mono: Int64) -> Int64 {
        let frozen = frozenAt.load(ordering: .relaxed)
        let ahead = offset.load(ordering: .relaxed)
        return frozen == .min ? ahead : ahead &- (mono &- frozen)
    }

    private static func realNanoseconds() -> (mono: Int64, wall: Int64) {
        var mono = timespec()
        clock_gettime(CLOCK_MONOTONIC, &mono)
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        return (Int64(mono.tv_sec) &* 1_000_000_000 &+ Int64(mono.tv_nsec), Int64(wall.tv_sec) &* 1_000_000_000 &+ Int64(wall.tv_nsec))
    }
}
