import Dispatch

/// Durations in seconds as settings and requests give them (`Double`), turned into the clock's
/// integers without a trap: negative and NaN are zero, and anything past `ceiling` is the ceiling.
/// Every conversion from a configured or requested duration goes through here.
public enum Seconds {
    /// The longest duration any timer of the server is set for: 100 days, far past any setting's
    /// documented range and far inside `UInt64`/`Int` nanoseconds.
    public static let ceiling: Double = 100 * 86_400

    /// `seconds` in [0, ceiling]; NaN is 0.
    @inline(__always)
    public static func clamped(_ seconds: Double) -> Double {
        guard seconds > 0 else { return 0 }
        return min(seconds, ceiling)
    }

    /// Nanoseconds in `seconds`, clamped.
    @inline(__always)
    public static func nanoseconds(_ seconds: Double) -> UInt64 {
        UInt64(clamped(seconds) * 1_000_000_000)
    }

    /// A Dispatch interval of `seconds`, clamped.
    public static func interval(_ seconds: Double) -> DispatchTimeInterval {
        .nanoseconds(Int(clamped(seconds) * 1_000_000_000))
    }
}
