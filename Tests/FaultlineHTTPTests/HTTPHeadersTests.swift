import Testing
import FaultlineHTTP

@Suite struct HTTPHeadersTests {
    @Test func looksUpCaseInsensitivelyAndKeepsDuplicatesInOrder() {
        var headers: HTTPHeaders = ["Set-Cookie": "a=1", "Content-Type": "text/plain"]
        headers.add(name: "set-cookie", value: "b=2")
        #expect(headers["SET-COOKIE"] == "a=1")
        #expect(headers.values("Set-Cookie") == ["a=1", "b=2"])
        #expect(headers.map(\.name) == ["Set-Cookie", "Content-Type", "set-cookie"])
        #expect(headers["Missing"] == nil)
    }

    @Test func replaceOrAddKeepsThePositionOfTheFirstField() {
        var headers: HTTPHeaders = ["A": "1", "X-Rate": "9", "B": "2", "x-rate": "8"]
        headers.replaceOrAdd(name: "X-RATE", value: "0")
        #expect(headers.map(\.name) == ["A", "X-Rate", "B"])
        #expect(headers["x-rate"] == "0")
        headers.replaceOrAdd(name: "C", value: "3")
        #expect(headers.count == 4)
    }

    @Test func findsTokensInListFields() {
        let headers: HTTPHeaders = ["Connection": "Upgrade, Keep-Alive", "connection": " close "]
        #expect(headers.containsToken("keep-alive", in: "Connection"))
        #expect(headers.containsToken("close", in: "CONNECTION"))
        #expect(!headers.containsToken("upgrade-insecure", in: "Connection"))
    }

    @Test func comparesOnlyLettersCaseInsensitively() {
        #expect(HTTPHeaders.equalsIgnoringCase("Content-Type", "content-type"))
        #expect(!HTTPHeaders.equalsIgnoringCase("a-b", "a\rb"))
        #expect(!HTTPHeaders.equalsIgnoringCase("@", "`"))
    }
}
