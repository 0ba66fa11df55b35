import FaultlineScenarios

/// Validation patterns: any pattern text is accepted or refused without a trap, and any
/// subject is matched; both must take time linear in the subject (libFuzzer's -timeout
/// catches a stall). Short printable-ASCII inputs are also matched by the standard library's
/// backtracking `Regex`, which must agree wherever the two syntaxes mean the same thing.
enum PatternTarget {
    static func run(_ bytes: [UInt8]) {
        var fields = FuzzFields(bytes[...])
        let pattern = fields.text()
        let subject = fields.text()
        guard let regex = try? LinearRegex(pattern) else { return }
        let matched = regex.matches(subject)
        // A long subject exercises the state cache: its answer must equal the direct one.
        let repeated = String(repeating: subject, count: max(1, 80 / max(1, subject.utf8.count)))
        _ = regex.matches(repeated)
        guard comparable(pattern), subject.utf8.count <= 16, subject.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return }
        guard let reference = try? Regex(pattern).wordBoundaryKind(.simple) else { return }
        let expected = (try? reference.firstMatch(in: subject)) != nil
        precondition(matched == expected, "pattern \(pattern.debugDescription) on \(subject.debugDescription): linear \(matched), backtracking \(expected)")
    }

    /// Short, and free of what the two syntaxes read differently: POSIX and set-operation
    /// classes, nested classes, `[]`, `{,n}`, `{0,1 }`, `\x{...}` and class escapes beside a
    /// dash are read one way by ECMAScript and another by the standard library.
    private static func comparable(_ pattern: String) -> Bool {
        // Letters, digits and the syntax both share; no spaces (`{0,1 }` is a literal to
        // ECMAScript and a quantifier to Swift), nothing Swift reads as extended syntax.
        let shared = Set("^$.|()[]{}*+?,-\\".utf8)
        guard pattern.utf8.count <= 16, pattern.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || shared.contains($0) }) else { return false }
        for marker in ["&&", "--", "[]", "[^]", "{,", "\\x", "\\u", "\\c", "\\0", "(?", "-\\", "\\d-", "\\w-", "\\s-", "\\D-", "\\W-", "\\S-"] where pattern.contains(marker) { return false }
        // A '[' inside a class is a literal in ECMAScript and a nested class in Swift.
        var inClass = false
        var escaped = false
        for byte in pattern.utf8 {
            if escaped { escaped = false; continue }
            switch byte {
            case UInt8(ascii: "\\"): escaped = true
            case UInt8(ascii: "["): if inClass { return false }; inClass = true
            case UInt8(ascii: "]"): inClass = false
            default: break
            }
        }
        return true
    }
}
