import Testing
import FaultlineScenarios

@Suite struct JSONTests {
    @Test func keepsKeyOrderAndNumberLiteralsThroughARoundTrip() throws {
        let text = #"{"z":1,"a":{"code":4003,"price":50.50,"exp":1e3},"list":[true,false,null,"x"]}"#
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(value.serializedString == text)
    }

    @Test func escapesOnlyWhatJSONRequires() throws {
        let value = JSONValue.string("quote \" backslash \\ slash / tab \t newline \n bell \u{07} café")
        #expect(value.serializedString == #""quote \" backslash \\ slash / tab \t newline \n bell \u0007 café""#)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(Array(#""a\u00e9\ud83d\ude00\/""#.utf8))
        #expect(value == .string("aé😀/"))
    }

    @Test func reportsDuplicateKeysWithTheirPath() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(#"{"a":{"b":1,"b":2}}"#.utf8)) }
        do {
            _ = try JSONParser.parse(Array(#"{"a":{"b":1,"b":2}}"#.utf8))
        } catch {
            #expect(error.path == "$.a.b")
            #expect(error.message.contains("duplicate key 'b'"))
        }
    }

    @Test func reportsLineAndColumnOfSyntaxErrors() {
        do {
            _ = try JSONParser.parse(Array("{\n  \"a\": [1, 2,]\n}".utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.path == "$.a[2]")
        }
    }

    @Test(arguments: ["", "{", "[1,]", "01", "1.", "-", "\"\\x\"", "tru", "{\"a\" 1}", "1 2", "\"a\u{01}\""])
    func rejectsInvalidDocuments(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(text.utf8)) }
    }
}
