/// A regular expression for validation `pattern` rules, matched in time linear in the input.
///
/// The syntax is the part of ECMA-262 that JSON Schema patterns use: literals, `.`, classes
/// (`[a-z]`, `[^...]`, `\d \w \s` and their negations), `\b \B ^ $`, groups (`(...)`, `(?:...)`,
/// `(?<name>...)`), alternation, and the quantifiers `* + ? {n} {n,} {n,m}` (lazy or not: a
/// validation only asks whether there is a match). Like a JSON Schema `pattern` it is not
/// anchored: it matches when it matches anywhere, and `^`/`$` anchor to the whole value.
/// It works on Unicode scalars, as ECMA-262 does with the `u` flag.
///
/// Constructs that need backtracking (backreferences, lookahead, lookbehind) and inline flags
/// are refused when the file loads, with the reason. Matching simulates the automaton
/// (Thompson's construction) over all its states at once, so `^(a+)+$` costs the same as
/// `^a+$`: at most `maxInstructions` steps per character, and for ASCII text a cache of
/// deterministic states makes most characters one table lookup.
package struct LinearRegex: Sendable {
    /// The largest program, counted after `{n,m}` repetitions are written out.
    static let maxInstructions = 2_000
    /// Deepest nesting of groups.
    static let maxDepth = 64

    enum Assertion: Sendable {
        case start, end, wordBoundary, notWordBoundary
    }

    enum Instruction: Sendable {
        case scalar(ScalarSet)
        case split(Int32, Int32)
        case jump(Int32)
        case assertion(Assertion)
        case match
    }

    let program: [Instruction]
    /// Whether `\b`/`\B` appear: only then does the previous character shape a state.
    let usesWordBoundaries: Bool

    package init(_ pattern: String) throws(RegexSyntaxError) {
        var parser = RegexParser(pattern)
        let tree = try parser.parse()
        var compiler = RegexCompiler()
        try compiler.emit(tree)
        compiler.program.append(.match)
        program = compiler.program
        usesWordBoundaries = program.contains {
            if case .assertion(let a) = $0 { return a == .wordBoundary || a == .notWordBoundary }
            return false
        }
    }

    /// Whether the pattern matches anywhere in `text`.
    package func matches(_ text: String) -> Bool {
        var unlimited = Int.max
        return matches(text, budget: &unlimited)
    }

    /// Whether the pattern matches anywhere in `text`, spending at most `budget` automaton
    /// steps (what is left is written back); false when the budget runs out first.
    package func matches(_ text: String, budget: inout Int) -> Bool {
        var matcher = RegexMatcher(self, budget: budget)
        let found = matcher.search(text)
        budget = matcher.budget
        return found
    }
}

/// Why a pattern was refused, in words for the file's author.
package struct RegexSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    package let message: String
    /// Offset in Unicode scalars where the problem starts.
    package let offset: Int
    package var description: String { "\(message) (at character \(offset + 1))" }
}

/// A set of Unicode scalars as sorted, disjoint, non-adjacent ranges, with the ASCII part also
/// as a bitmap (one test for the common character).
struct ScalarSet: Sendable, Equatable {
    private(set) var ranges: [ClosedRange<UInt32>]
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    init(_ ranges: [ClosedRange<UInt32>]) {
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        for range in sorted {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        self.ranges = merged
        for range in merged where range.lowerBound < 128 {
            for v in range.lowerBound...min(range.upperBound, 127) {
                if v < 64 { low |= 1 << UInt64(v) } else { high |= 1 << UInt64(v - 64) }
            }
        }
    }

    static let maxScalar: UInt32 = 0x10FFFF

    var inverted: ScalarSet {
        var out: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in ranges {
            if range.lowerBound > next { out.append(next...(range.lowerBound - 1)) }
            next = range.upperBound &+ 1
        }
        if !ranges.isEmpty && ranges.last!.upperBound >= Self.maxScalar { return ScalarSet(out) }
        out.append(next...Self.maxScalar)
        return ScalarSet(out)
    }

    func union(_ other: ScalarSet) -> ScalarSet { ScalarSet(ranges + other.ranges) }

    @inline(__always)
    func contains(_ v: UInt32) -> Bool {
        if v < 64 { return low & (1 << UInt64(v)) != 0 }
        if v < 128 { return high & (1 << UInt64(v - 64)) != 0 }
        var lo = 0
        var hi = ranges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if v < ranges[mid].lowerBound { hi = mid - 1 } else if v > ranges[mid].upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }

    static let digits = ScalarSet([48...57])
    static let word = ScalarSet([48...57, 65...90, 95...95, 97...122])
    /// ECMA-262 WhiteSpace and LineTerminator.
    static let space = ScalarSet([9...13, 32...32, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A, 0x2028...0x2029, 0x202F...0x202F, 0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF])
    /// `.`: anything but a line terminator.
    static let dot = ScalarSet([10...10, 13...13, 0x2028...0x2029]).inverted

    static func isWord(_ v: UInt32) -> Bool { word.contains(v) }
}
