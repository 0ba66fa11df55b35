/// A duration as people write it, read one way everywhere (the clock's `advance`, a rate-limit
/// window on the command line): `90` (seconds), `1500ms`, `90s`, `15m` or `15min`, `24h`, `7d`;
/// a unit alone is one of it (`1/s`).
enum DurationText {
    private static let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("min", 60), ("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400)]

    /// Seconds, or nil when `text` is no duration (NaN and infinities are not).
    static func seconds<S: StringProtocol>(_ text: S) -> Double? {
        for unit in units where text.hasSuffix(unit.suffix) {
            let number = text.dropLast(unit.suffix.count)
            if number.isEmpty { return unit.seconds }
            guard let amount = Double(String(number)), amount.isFinite else { return nil }
            return amount * unit.seconds
        }
        return Double(String(text)).flatMap { $0.isFinite ? $0 : nil }
    }
}
