/// A parsed pattern.
indirect enum RegexNode: Sendable, Equatable {
    case empty
    case set(ScalarSet)
    case assertion(LinearRegex.Assertion)
    case concatenation([RegexNode])
    case alternation([RegexNode])
    /// `max` nil: unbounded.
    case repetition(RegexNode, min: Int, max: Int?)
}

/// Recursive descent over the pattern's scalars, following ECMA-262 §22.2.1 (with the
/// Annex B leniency that a `{` or `}` that starts no quantifier is a literal).
struct RegexParser {
    /// The largest count in `{n,m}`.
    static let maxCount = 1_000

    private let scalars: [UInt32]
    private var index = 0

    init(_ pattern: String) {
        scalars = pattern.unicodeScalars.map(\.value)
    }

    mutating func parse() throws(RegexSyntaxError) -> RegexNode {
        let node = try alternation(depth: 0)
        if index < scalars.count {
            // Only an unmatched `)` stops an alternation before the end.
            throw fail("unmatched ')'")
        }
        return node
    }

    private func fail(_ message: String, at offset: Int? = nil) -> RegexSyntaxError {
        RegexSyntaxError(message: message, offset: offset ?? index)
    }

    private var peek: UInt32? { index < scalars.count ? scalars[index] : nil }

    private func isChar(_ c: Unicode.Scalar) -> Bool { peek == c.value }

    private mutating func alternation(depth: Int) throws(RegexSyntaxError) -> RegexNode {
        guard depth <= LinearRegex.maxDepth else { throw fail("groups nested deeper than \(LinearRegex.maxDepth)") }
        var branches = [try concatenation(depth: depth)]
        while isChar("|") {
            index += 1
            branches.append(try concatenation(depth: depth))
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func concatenation(depth: Int) throws(RegexSyntaxError) -> RegexNode {
        var items: [RegexNode] = []
        while let c = peek, c != ascii("|"), c != ascii(")") {
            items.append(try quantified(depth: depth))
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concatenation(items)
        }
    }

    private mutating func quantified(depth: Int) throws(RegexSyntaxError) -> RegexNode {
        let start = index
        let atom = try self.atom(depth: depth)
        guard let (min, max) = try quantifier() else { return atom }
        // A bare anchor takes no quantifier; a group holding one may (`(?:^)?` is ECMAScript).
        if case .assertion = atom, scalars[start] != ascii("(") { throw fail("nothing to repeat: an anchor or \\b cannot take a quantifier", at: start) }
        if isChar("?") { index += 1 }  // lazy: the same answer to "is there a match"
        if let c = peek, c == ascii("*") || c == ascii("+") || c == ascii("?") {
            throw fail("a quantifier cannot follow a quantifier (possessive quantifiers need backtracking)")
        }
        return .repetition(atom, min: min, max: max)
    }

    /// `*`, `+`, `?` or a well-formed `{n}`, `{n,}`, `{n,m}`; nil (nothing consumed) otherwise.
    private mutating func quantifier() throws(RegexSyntaxError) -> (Int, Int?)? {
        guard let c = peek else { return nil }
        switch c {
        case ascii("*"): index += 1; return (0, nil)
        case ascii("+"): index += 1; return (1, nil)
        case ascii("?"): index += 1; return (0, 1)
        case ascii("{"):
            let start = index
            index += 1
            guard let low = number() else { index = start; return nil }
            var high: Int? = low
            if isChar(",") {
                index += 1
                high = isChar("}") ? nil : number()
                if high == nil && !isChar("}") { index = start; return nil }
            }
            guard isChar("}") else { index = start; return nil }
            index += 1
            guard low <= Self.maxCount, (high ?? 0) <= Self.maxCount else {
                throw fail("a repetition count over \(Self.maxCount)", at: start)
            }
            if let high, high < low { throw fail("{\(low),\(high)}: the numbers are out of order", at: start) }
            return (low, high)
        default:
            return nil
        }
    }

    /// Decimal digits, saturating far above any allowed count.
    private mutating func number() -> Int? {
        var value = 0
        var digits = 0
        while let c = peek, c >= 48, c <= 57 {
            value = min(value * 10 + Int(c - 48), 1_000_000)
            digits += 1
            index += 1
        }
        return digits > 0 ? value : nil
    }

    private mutating func atom(depth: Int) throws(RegexSyntaxError) -> RegexNode {
        guard let c = peek else { throw fail("unexpected end of pattern") }
        let start = index
        index += 1
        switch c {
        case ascii("("):
            if isChar("?") {
                index += 1
                if isChar(":") {
                    index += 1
                } else if isChar("<"), index + 1 < scalars.count, scalars[index + 1] != ascii("="), scalars[index + 1] != ascii("!") {
                    index += 1
                    while let n = peek, n != ascii(">") {
                        guard ScalarSet.isWord(n) || n == ascii("$") else { throw fail("invalid group name") }
                        index += 1
                    }
                    guard isChar(">") else { throw fail("unterminated group name", at: start) }
                    index += 1
                } else if isChar("=") || isChar("!") || isChar("<") {
                    throw fail("lookahead and lookbehind are not supported (they need backtracking)", at: start)
                } else {
                    throw fail("inline flags and other (?...) groups are not supported", at: start)
                }
            }
            let inner = try alternation(depth: depth + 1)
            guard isChar(")") else { throw fail("unterminated group", at: start) }
            index += 1
            return inner
        case ascii("["):
            return .set(try characterClass(start: start))
        case ascii("."):
            return .set(.dot)
        case ascii("^"):
            return .assertion(.start)
        case ascii("$"):
            return .assertion(.end)
        case ascii("*"), ascii("+"), ascii("?"):
            throw fail("nothing to repeat", at: start)
        case ascii("{"):
            // Annex B: a brace that is no quantifier is itself; one that is has nothing to repeat.
            index = start
            if (try quantifier()) != nil { throw fail("nothing to repeat", at: start) }
            index = start + 1
            return .set(ScalarSet([c...c]))
        case ascii("\\"):
            return try escape(start: start)
        default:
            return .set(ScalarSet([c...c]))
        }
    }

    private mutating func escape(start: Int) throws(RegexSyntaxError) -> RegexNode {
        guard let c = peek else { throw fail("a pattern cannot end with \\", at: start) }
        switch c {
        case ascii("b"): index += 1; return .assertion(.wordBoundary)
        case ascii("B"): index += 1; return .assertion(.notWordBoundary)
        case ascii("1")...ascii("9"), ascii("k"):
            throw fail("backreferences are not supported (they need backtracking)", at: start)
        default:
            return .set(try escapedSet(start: start, inClass: false))
        }
    }

    /// The set an escape stands for (after the backslash), inside or outside a class.
    private mutating func escapedSet(start: Int, inClass: Bool) throws(RegexSyntaxError) -> ScalarSet {
        guard let c = peek else { throw fail("a pattern cannot end with \\", at: start) }
        index += 1
        func single(_ v: UInt32) -> ScalarSet { ScalarSet([v...v]) }
        switch c {
        case ascii("d"): return .digits
        case ascii("D"): return ScalarSet.digits.inverted
        case ascii("w"): return .word
        case ascii("W"): return ScalarSet.word.inverted
        case ascii("s"): return .space
        case ascii("S"): return ScalarSet.space.inverted
        case ascii("n"): return single(10)
        case ascii("r"): return single(13)
        case ascii("t"): return single(9)
        case ascii("f"): return single(12)
        case ascii("v"): return single(11)
        case ascii("b") where inClass: return single(8)
        case ascii("0"):
            if let n = peek, n >= 48, n <= 57 { throw fail("octal escapes and backreferences are not supported", at: start) }
            return single(0)
        case ascii("c"):
            guard let letter = peek, (65...90).contains(letter) || (97...122).contains(letter) else { throw fail("\\c needs a letter", at: start) }
            index += 1
            return single(letter % 32)
        case ascii("x"):
            return single(try hex(count: 2, start: start))
        case ascii("u"):
            if isChar("{") {
                index += 1
                var value: UInt32 = 0
                var digits = 0
                while let h = peek, let d = Self.hexDigit(h) {
                    value = min(value * 16 + d, 0x110000)
                    digits += 1
                    index += 1
                }
                guard digits > 0, isChar("}"), value <= ScalarSet.maxScalar else { throw fail("invalid \\u{...} escape", at: start) }
                index += 1
                return single(value)
            }
            let unit = try hex(count: 4, start: start)
            // As with the `u` flag, `\uD83D\uDE00` is one scalar (a surrogate pair).
            if (0xD800...0xDBFF).contains(unit), index + 5 < scalars.count, scalars[index] == ascii("\\"), scalars[index + 1] == ascii("u") {
                let save = index
                index += 2
                if let low = try? hex(count: 4, start: start), (0xDC00...0xDFFF).contains(low) {
                    return single(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                }
                index = save
            }
            return single(unit)
        case ascii("p"), ascii("P"):
            throw fail("Unicode property escapes (\\p{...}) are not supported", at: start)
        case ascii("1")...ascii("9"):
            throw fail("backreferences are not supported (they need backtracking)", at: start)
        default:
            // Punctuation escapes to itself (`\.`, `\/`, `\-`); letters and digits would be
            // escapes this syntax does not have, and an author should hear about the typo.
            if (48...57).contains(c) || (65...90).contains(c) || (97...122).contains(c) {
                throw fail("unknown escape \\\(Character(Unicode.Scalar(c)!))", at: start)
            }
            return single(c)
        }
    }

    private mutating func hex(count: Int, start: Int) throws(RegexSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<count {
            guard let h = peek, let d = Self.hexDigit(h) else { throw fail("invalid hexadecimal escape", at: start) }
            value = value * 16 + d
            index += 1
        }
        return value
    }

    private static func hexDigit(_ c: UInt32) -> UInt32? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }

    /// `[...]` after the `[`: ECMA-262 §22.2.1 ClassContents, with `[]` matching nothing and
    /// `[^]` anything.
    private mutating func characterClass(start: Int) throws(RegexSyntaxError) -> ScalarSet {
        var negated = false
        if isChar("^") {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<UInt32>] = []
        while true {
            guard let c = peek else { throw fail("unterminated character class", at: start) }
            if c == ascii("]") {
                index += 1
                break
            }
            let (first, firstIsSingle) = try classAtom(start: start)
            if isChar("-"), index + 1 < scalars.count, scalars[index + 1] != ascii("]") {
                let dash = index
                index += 1
                let (second, secondIsSingle) = try classAtom(start: start)
                if firstIsSingle, secondIsSingle, let lo = first.ranges.first?.lowerBound, let hi = second.ranges.first?.lowerBound {
                    guard lo <= hi else { throw fail("a range out of order in a character class", at: dash) }
                    ranges.append(lo...hi)
                } else {
                    // Annex B: a class escape beside '-' makes the dash a literal.
                    ranges += first.ranges + [45...45] + second.ranges
                }
            } else {
                ranges += first.ranges
            }
        }
        let set = ScalarSet(ranges)
        return negated ? set.inverted : set
    }

    private mutating func classAtom(start: Int) throws(RegexSyntaxError) -> (ScalarSet, single: Bool) {
        guard let c = peek else { throw fail("unterminated character class", at: start) }
        index += 1
        guard c == ascii("\\") else { return (ScalarSet([c...c]), true) }
        let escapeStart = index - 1
        if let n = peek, n == ascii("B") || n == ascii("k") || (49...57).contains(n) {
            throw fail("\\\(Character(Unicode.Scalar(n)!)) is not allowed in a character class", at: escapeStart)
        }
        let set = try escapedSet(start: escapeStart, inClass: true)
        return (set, set.ranges.count == 1 && set.ranges[0].lowerBound == set.ranges[0].upperBound)
    }
}

/// A scalar's value, for comparisons and `case` patterns over `UInt32`.
@inline(__always)
private func ascii(_ scalar: Unicode.Scalar) -> UInt32 { scalar.value }
