import Testing
import FaultlineHTTP

@Suite struct QueryStringTests {
    @Test func findsTheFirstValueOfAParameterDecoded() {
        #expect(QueryString.first("scenario", in: "a=1&scenario=429&scenario=500") == "429")
        #expect(QueryString.first("q", in: "q=two+words%21") == "two words!")
        #expect(QueryString.first("scenario", in: "sc%65nario=4003") == "4003")
        #expect(QueryString.first("flag", in: "flag&x=1") == "")
        #expect(QueryString.first("scenario", in: "scenarios=1&xscenario=2") == nil)
    }

    @Test func tellsWhetherAnyKeyStartsWithAByte() {
        #expect(QueryString.hasKey(startingWith: UInt8(ascii: "d"), in: "scenario=1&delay=2"))
        #expect(!QueryString.hasKey(startingWith: UInt8(ascii: "d"), in: "scenario=d&x=dd"))
    }

    @Test func readsThePathAndQueryOfEveryFormOfTarget() {
        let cases: [(target: String, path: Substring, query: Substring?)] = [
            ("/v4/trackings?scenario=429#frag", "/v4/trackings", "scenario=429"),
            ("/a#b?c", "/a", "c"),
            ("/", "/", nil),
            ("/x?", "/x", ""),
            ("http://example.com/p/q?k=v", "/p/q", "k=v"),
            ("http://example.com", "/", nil),
            ("http://example.com?k=v", "/", "k=v"),
            ("/caf\u{e9}/\u{1F600}?q=\u{e9}", "/caf\u{e9}/\u{1F600}", "q=\u{e9}"),
        ]
        for item in cases {
            let request = HTTPRequest(method: "GET", target: item.target)
            #expect(request.path == item.path, "\(item.target)")
            #expect(request.query == item.query, "\(item.target)")
        }
    }

    @Test func aChangedCopyLeavesTheOriginalAsItWas() {
        let original = HTTPRequest(method: "GET", target: "/a?x=1", headers: ["Host": "h"])
        var copy = original
        copy.target = "/b?y=2"
        copy.method = "POST"
        copy.version = .http1_0
        copy.headers.add(name: "X-Extra", value: "1")
        copy.body = [1, 2]
        copy.listener = 3
        #expect(original.method == "GET" && original.target == "/a?x=1" && original.path == "/a" && original.query == "x=1")
        #expect(original.version == .http1_1 && original.headers.count == 1 && original.body.isEmpty && original.listener == 0)
        #expect(copy.method == "POST" && copy.path == "/b" && copy.query == "y=2" && copy.version == .http1_0)
        #expect(copy.headers["x-extra"] == "1" && copy.headers["Host"] == "h" && copy.body == [1, 2] && copy.listener == 3)
    }

    @Test func aChangedTargetHasItsOwnPathAndQuery() {
        var request = HTTPRequest(method: "GET", target: "/a/b?x=1")
        request.target = "/c?y=2#z"
        #expect(request.path == "/c")
        #expect(request.query == "y=2")
        request.target = "/d"
        #expect(request.path == "/d")
        #expect(request.query == nil)
    }

    @Test func leavesMalformedEscapesAsWritten() {
        #expect(PercentDecoding.decode("100%", plusAsSpace: false) == "100%")
        #expect(PercentDecoding.decode("%zz+%41", plusAsSpace: false) == "%zz+A")
    }
}
