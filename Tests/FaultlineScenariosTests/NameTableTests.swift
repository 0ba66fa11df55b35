import Testing
@testable import FaultlineScenarios

@Suite struct NameTableTests {
    @Test func findsANameWhateverItsCase() {
        let table = NameTable([("Rate_Limited", 1), ("4003", 2), ("default", 0)])
        #expect(table["rate_limited"] == 1)
        #expect(table["RATE_LIMITED"] == 1)
        #expect(table["4003"] == 2)
        #expect(table["Default"] == 0)
        #expect(table["rate_limite"] == nil)
        #expect(table["rate_limited_"] == nil)
        #expect(table[""] == nil)
        #expect(NameTable<Int>()["x"] == nil)
    }

    /// Only ASCII letters fold byte by byte; others fold as `lowercased()` folds them, on both sides.
    @Test func foldsNonASCIINamesAsLowercasingDoes() {
        let table = NameTable([("Überfällig", 7), ("CAFÉ", 8)])
        #expect(table["überfällig"] == 7)
        #expect(table["ÜBERFÄLLIG"] == 7)
        #expect(table["café"] == 8)
        #expect(table["cafe"] == nil)
        // Symbols and digits are not letters: `[` (0x5B) is not `{` (0x7B).
        let symbols = NameTable([("a[1]", 1)])
        #expect(symbols["A[1]"] == 1)
        #expect(symbols["a{1}"] == nil)
    }

    /// As `String` keys did: canonically equivalent spellings are one name, and a name whose
    /// lowercase is ASCII (the Kelvin sign's is `k`) finds the ASCII key.
    @Test func equivalentSpellingsAreOneName() {
        let table = NameTable([("caf\u{E9}", 1), ("kilo", 2)])
        #expect(table["cafe\u{301}"] == 1)
        #expect(table["CAFE\u{301}"] == 1)
        #expect(table["\u{212A}ilo"] == 2)
        var merged = NameTable([("caf\u{E9}", 1)])
        merged["cafe\u{301}"] = 3
        #expect(merged.count == 1 && merged["caf\u{E9}"] == 3)
    }

    @Test func aLaterKeyOfTheSameFoldedNameReplacesTheEarlier() {
        var table = NameTable([("Flaky", 1), ("flaky", 2)])
        #expect(table["FLAKY"] == 2)
        #expect(table.count == 1)
        table["other"] = 3
        #expect(table["Other"] == 3 && table.count == 2)
    }

    @Test func holdsManyNames() {
        let table = NameTable((0..<500).map { ("Name\($0)", $0) })
        // `i` typed: left to inference, `table[…] != i` made it an `Int?` (and the key "nAMEOptional(0)").
        let missed = (0..<500).filter { (i: Int) in table["nAME\(i)"] != i }
        #expect(missed.isEmpty, "\(missed.prefix(5))")
        #expect(table["name500"] == nil)
    }
}
