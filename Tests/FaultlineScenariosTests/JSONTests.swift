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

    @Test func escapesAtTheEdgesAndSideBySideAndInSubstrings() {
        #expect(JSONValue.string("\"\u{1F}\"").serializedString == #""\"\u001f\"""#)
        #expect(JSONValue.string("\\\\x\n").serializedString == #""\\\\x\n""#)
        #expect(JSONValue.string("").serializedString == #""""#)
        var out: [UInt8] = []
        JSONValue.appendEscaped("ab\"cd\u{0C}ef".dropFirst(1).dropLast(1), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"b\"cd\fe"#)
    }

    @Test func findsEveryEscapeWhereverItFallsInAWord() {
        func reference(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "\u{08}": out += "\\b"
                case "\u{0C}": out += "\\f"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        for special in ["\"", "\\", "\u{00}", "\u{1F}", "\n", "é", "\u{7F}", " ", "!", "#", "[", "]"] {
            for length in 0..<20 {
                for position in 0...length {
                    var text = String(repeating: "a", count: length)
                    text.insert(contentsOf: special, at: text.index(text.startIndex, offsetBy: position))
                    #expect(JSONValue.string(text).serializedString == reference(text), "\(special) at \(position) of \(length)")
                }
            }
        }
    }

    @Test(arguments: ["0", "-0", "12", "1.5", "1e3", "1E+3", "-1.25e-2", "123456789012345678901234567890"])
    func numberLiteralsAreRecognised(text: String) {
        #expect(JSONValue.isNumberLiteral(text))
        #expect(JSONValue.isNumberLiteral(Substring("x" + text).dropFirst()))
        #expect(JSONValue.number(text).numberValue == Double(text))
    }

    @Test(arguments: ["", "-", "01", " 1", "1 ", "1.", ".5", "1e", "+1", "0x1", "NaN", "1.5.2", "--1", "١"])
    func otherTextIsNoNumberLiteral(text: String) {
        #expect(!JSONValue.isNumberLiteral(text))
        #expect(JSONValue.string(text).numberValue == nil)
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

    @Test(arguments: [
        (#"{"a":[{"b":1},{"c":[1,2,{"d" 1}]}]}"#, "$.a[1].c[2].d", "expected ':'"),
        (#"{"a":{"b":1 "c":2}}"#, "$.a.b", "expected ',' or '}'"),
        (#"{"a":[1 2]}"#, "$.a", "expected ',' or ']'"),
        (#"{"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k3":10}"#, "$.k3", "duplicate key 'k3'"),
        (#"{"a":{"b":1,"bb":2,"b":3}}"#, "$.a.b", "duplicate key 'b'"),
        (#"[[[]],[["x",nul]]]"#, "$[1][0][1]", "invalid literal"),
    ])
    func namesWhereADocumentBreaks(_ text: String, _ path: String, _ message: String) {
        do {
            _ = try JSONParser.parse(Array(text.utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.path == path)
            #expect(error.message.contains(message))
        }
    }

    @Test func aValueParsedAgainIsTheSameValue() throws {
        let text = #"{"a":[1,"two",{"three":3.0,"four":[true,false,null]}],"b":{},"c":[],"d":"\u00e9"}"#
        let value = try JSONParser.parse(Array(text.utf8))
        #expect(try JSONParser.parse(value.serialized) == value)
        #expect(value["a"]?[2]?["four"]?[2] == .null)
        #expect(value["d"] == .string("é"))
    }

    @Test(arguments: ["", "{", "[1,]", "01", "1.", "-", "\"\\x\"", "tru", "{\"a\" 1}", "1 2", "\"a\u{01}\""])
    func rejectsInvalidDocuments(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(text.utf8)) }
    }
}
