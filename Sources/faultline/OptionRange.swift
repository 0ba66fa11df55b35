import ArgumentParser

/// The ranges `serve`'s numeric options accept. A value outside stops the start with a message
/// naming the option, its environment variable and the range.
enum OptionRange {
    /// One day: the longest timeout or hold.
    static let maxSeconds: Double = 86_400
    /// 1 GiB: the largest body limit.
    static let maxBytes = 1 << 30

    static func check(_ option: String, _ variable: String?, _ value: Double, above low: Double, atMost high: Double) throws {
        guard value > low, value <= high else {
            throw ValidationError("\(option)\(source(variable)) must be greater than \(text(low)) and at most \(text(high)) seconds; got \(text(value))")
        }
    }

    static func check(_ option: String, _ variable: String?, _ value: Double, from low: Double, atMost high: Double) throws {
        guard value >= low, value <= high else {
            throw ValidationError("\(option)\(source(variable)) must be from \(text(low)) to \(text(high)) seconds; got \(text(value))")
        }
    }

    static func check(_ option: String, _ variable: String?, _ value: Int, _ range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(option)\(source(variable)) must be from \(range.lowerBound) to \(range.upperBound); got \(value)")
        }
    }

    private static func source(_ variable: String?) -> String { variable.map { " ($\($0))" } ?? "" }

    private static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
    }
}
