import Testing
@testable import FaultlineScenarios

/// Validation patterns: ECMA-262 syntax as JSON Schema uses it, matched without backtracking.
@Suite struct LinearRegexTests {
    static let cases: [(pattern: String, subject: String, matches: Bool)] = [
        ("^[A-Z]{2}$", "DE", true), ("^[A-Z]{2}$", "DEU", false), ("^[A-Z]{2}$", "de", false),
        ("^\\d{5}(-\\d{4})?$", "12345", true), ("^\\d{5}(-\\d{4})?$", "12345-6789", true), ("^\\d{5}(-\\d{4})?$", "12345-67", false),
        ("colou?r", "the colour", true), ("colou?r", "the colr", false),
        ("^(a|ab)(c|bcd)(d*)$", "abcd", true), ("^(?:ab|cd)*e$", "ababcde", true), ("^(?:ab|cd)*e$", "abacde", false),
        ("a{2,3}?b", "aaab", true), ("a{2,}", "a", false), ("a{2,}", "xaax", true), ("^a{0,2}$", "aaa", false), ("^a{3}$", "aaa", true),
        ("\\bword\\b", "a word here", true), ("\\bword\\b", "swordfish", false), ("\\Bor\\B", "word", true), ("\\Bor\\B", "or", false),
        ("^$", "", true), ("^$", "x", false), ("x*", "", true), ("$", "abc", true),
        ("^.+$", "line\nbreak", false), ("^[^]+$", "line\nbreak", true), ("^[]$", "", false),
        ("[a-]", "-", true), ("[\\d-x]", "-", true), ("[\\d-x]", "5", true), ("[\\d-x]", "y", false),
        ("^\\S+@\\S+\\.[a-z]{2,}$", "a@b.io", true), ("^\\S+@\\S+\\.[a-z]{2,}$", "a b@c.io", false),
        ("\\u00e9", "caf\u{e9}", true), ("\\u{1F600}", "smile \u{1F600}", true), ("^.$", "\u{1F600}", true), ("\\x41", "A", true),
        ("(?<year>\\d{4})-\\d{2}", "2026-12", true), ("\\.", "a.b", true), ("\\.", "ab", false), ("a\\/b", "a/b", true),
        ("^[0-9a-zA-Z-_]{1,128}$", "abc_DEF-123", true), ("^[0-9a-zA-Z-_]{1,128}$", "abc def", false),
        ("\\s", "a\u{3000}b", true), ("\\W", "abc_123", false), ("[^\\w]", "abc!", true), ("a{,2}", "a{,2}", true), ("x{", "x{", true),
        ("\\cJ", "\n", true), ("\\t", "\t", true), ("[\\b]", "\u{8}", true), ("a|", "b", true), ("(|a)b", "b", true),
    ]

    @Test func matchesAsECMAScriptWouldWithoutAnchoring() throws {
        for item in Self.cases {
            let regex = try LinearRegex(item.pattern)
            #expect(regex.matches(item.subject) == item.matches, "\(item.pattern) on \(item.subject.debugDescription)")
        }
    }

    @Test func theStateCacheGivesTheSameAnswersAsTheDirectRun() throws {
        for item in Self.cases {
            let regex = try LinearRegex(item.pattern)
            for subject in [item.subject, String(repeating: item.subject + " ", count: 20), String(repeating: "z", count: 100) + item.subject] {
                var direct = RegexMatcher(regex)
                var cached = RegexMatcher(regex)
                #expect(direct.searchDirect(subject) == cached.searchCached(subject), "\(item.pattern) on \(subject.debugDescription)")
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func nestedQuantifiersCostNoMoreThanPlainOnes() throws {
        // 72 s of backtracking for 21 characters before; now one pass however long the value.
        for pattern in ["^(a+)+$", "^(a|a)*$", "^(a*)*b$", "(x+x+)+y", "^(\\w+\\s?)*$"] {
            let regex = try LinearRegex(pattern)
            #expect(!regex.matches(String(repeating: "a", count: 21) + "!"), "\(pattern)")
            #expect(!regex.matches(String(repeating: "a", count: 200_000) + "!"), "\(pattern)")
        }
        #expect(try LinearRegex("^(a+)+$").matches(String(repeating: "a", count: 200_000)))
    }

    @Test func refusesWhatNeedsBacktrackingOrIsNotECMAScriptWithTheReason() {
        let refused: [(String, String)] = [
            ("(a)\\1", "backreferences are not supported"), ("\\k<n>", "backreferences are not supported"),
            ("a(?=b)", "lookahead and lookbehind are not supported"), ("(?<!a)b", "lookahead and lookbehind are not supported"),
            ("(?i)abc", "inline flags"), ("\\p{L}", "Unicode property escapes"), ("a**", "a quantifier cannot follow a quantifier"),
            ("a++", "a quantifier cannot follow a quantifier"), ("*a", "nothing to repeat"), ("^*", "nothing to repeat"),
            ("(ab", "unterminated group"), ("ab)", "unmatched ')'"), ("[a-", "unterminated character class"), ("[z-a]", "out of order"),
            ("a{3,2}", "out of order"), ("a{1001}", "over 1000"), ("\\q", "unknown escape \\q"), ("\\", "cannot end with"),
            ("((a{100}){100}){100}", "too large"), (String(repeating: "(", count: 70) + String(repeating: ")", count: 70), "nested deeper than 64"),
        ]
        for (pattern, reason) in refused {
            do {
                _ = try LinearRegex(pattern)
                Issue.record("\(pattern) was accepted")
            } catch {
                #expect(error.description.contains(reason), "\(pattern): \(error.description)")
            }
        }
    }

    @Test func aRefusedPatternIsNamedWithItsPathWhenTheFileLoads() {
        let file = VendorFile.make(
            endpoints: #"[{"id":"a","method":"POST","path":"/t","validate":[{"field":"x","pattern":"^(a)\\1$"}],"response":{"status":201}}]"#,
            extra: #","triggers":{"validation":{"mode":"first","response":"401"}}"#)
        guard case .failure(let failure) = ScenarioLoader.parse(file, file: "acme.json") else {
            Issue.record("a backreference loaded")
            return
        }
        #expect(failure.diagnostics.map(\.description) == [#"acme.json: $.endpoints[0].validate[0].pattern: '^(a)\1$' cannot be used: backreferences are not supported (they need backtracking) (at character 5)"#])
    }

    @Test func aRefusedPatternUsedTwiceIsNamedAtBothPaths() {
        let file = VendorFile.make(
            endpoints: #"[{"id":"a","method":"POST","path":"/t","validate":[{"field":"x","pattern":"(["},{"field":"y","pattern":"^ok$"},{"field":"z","pattern":"(["}],"response":{"status":201}}]"#,
            extra: #","triggers":{"validation":{"mode":"first","response":"401"}}"#)
        guard case .failure(let failure) = ScenarioLoader.parse(file, file: "acme.json") else {
            Issue.record("an unterminated class loaded")
            return
        }
        #expect(failure.diagnostics.map(\.description) == [
            "acme.json: $.endpoints[0].validate[0].pattern: '([' cannot be used: unterminated character class (at character 2)",
            "acme.json: $.endpoints[0].validate[2].pattern: '([' cannot be used: unterminated character class (at character 2)",
        ])
    }

    @Test func everyBundledPatternCompiles() throws {
        let (catalog, diagnostics) = ScenarioLoader.loadDirectory(Bundled.scenarios)
        #expect(diagnostics.isEmpty)
        let patterns = catalog.vendors.flatMap { $0.endpoints.flatMap { $0.validate.compactMap(\.pattern) } }
        #expect(!patterns.isEmpty)
        for pattern in patterns { _ = try LinearRegex(pattern) }
    }
}

extension LinearRegexTests {
    @Test func aMatchThatWouldOutrunItsBudgetCountsAsNoMatch() throws {
        // Every character misses the state cache and keeps hundreds of states alive.
        let regex = try LinearRegex("(a|b)*a(a|b){60}c")
        var random = UInt64(7)
        let subject = String((0..<2_000).map { _ -> Character in
            random = random &* 6364136223846793005 &+ 1442695040888963407
            return random >> 63 == 0 ? "a" : "b"
        }) + "c"
        var budget = 10_000
        #expect(!regex.matches(subject, budget: &budget))
        #expect(budget < 0)
        var plenty = Int.max
        #expect(regex.matches(subject, budget: &plenty) == regex.matches(subject))
        // A bundled-style pattern on a long ASCII value runs on cached states: little spent.
        let email = try LinearRegex("^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$")
        var spent = 1_000_000
        #expect(email.matches(String(repeating: "a", count: 500_000) + "@example.com", budget: &spent))
        #expect(spent > 900_000)
    }
}

extension LinearRegexTests {
    @Test(.timeLimit(.minutes(1)))
    func emptyRepetitionsNestedDeepAreRefusedAtOnce() {
        #expect(throws: RegexSyntaxError.self) { try LinearRegex("(?:(?:(?:(?:(?:){1000}){1000}){1000}){1000}){1000}") }
        #expect(throws: RegexSyntaxError.self) { try LinearRegex("(?:(?:(?:a{0}){1000}){1000}){1000}") }
    }

    @Test func aGroupHoldingOnlyAnAnchorMayRepeatAndSurrogatePairsAreOneScalar() throws {
        #expect(try LinearRegex("(?:^)?a").matches("ba"))
        #expect(try LinearRegex("(\\b)+x").matches("a x"))
        #expect(try LinearRegex("^\\uD83D\\uDE00$").matches("\u{1F600}"))
        #expect(try LinearRegex("^[\\uD83D\\uDE00-\\uD83D\\uDE4F]+$").matches("\u{1F600}\u{1F64F}"))
        #expect(try !LinearRegex("^\\uD83D$").matches("\u{1F600}"))
    }
}
