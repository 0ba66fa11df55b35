import Testing
@testable import FaultlineHTTP

@Suite struct HTTPResponseWriterTests {
    private func write(_ response: HTTPResponse, headOnly: Bool = false, close: Bool = false, keepAlive10: Bool = false) -> String {
        var out: [UInt8] = []
        HTTPResponseWriter.write(response, headOnly: headOnly, close: close, announceKeepAlive: keepAlive10, date: Array("Sat, 21 Nov 2026 19:00:00 GMT".utf8), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func everyStatusHasItsLine() {
        for status in 100..<600 {
            #expect(write(HTTPResponse(status: status)).hasPrefix("HTTP/1.1 \(status) \(HTTPStatusReason.phrase(status))\r\n"))
        }
        #expect(write(HTTPResponse(status: 99)).hasPrefix("HTTP/1.1 500 Internal Server Error\r\n"))
    }

    @Test func writesStatusHeadersDateLengthAndBody() {
        let text = write(HTTPResponse(status: 429, headers: ["Content-Type": "application/json", "Retry-After": "1"], body: Array("{}".utf8)))
        #expect(text == "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: 1\r\nDate: Sat, 21 Nov 2026 19:00:00 GMT\r\nContent-Length: 2\r\n\r\n{}")
    }

    @Test func replacesFramingHeadersSetByTheResponder() {
        let text = write(HTTPResponse(status: 200, headers: ["content-length": "999", "Transfer-Encoding": "chunked", "Connection": "keep-alive", "Date": "x"], body: Array("abc".utf8)), close: true)
        #expect(text == "HTTP/1.1 200 OK\r\nDate: Sat, 21 Nov 2026 19:00:00 GMT\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
    }

    @Test func keepsEveryOtherHeaderWhateverItsFirstLetter() {
        let text = write(HTTPResponse(status: 200, headers: ["Content-Type": "a", "Cache-Control": "b", "Trace-Id": "c", "date-ish": "d", "Transfer": "e"]))
        #expect(text == "HTTP/1.1 200 OK\r\nContent-Type: a\r\nCache-Control: b\r\nTrace-Id: c\r\ndate-ish: d\r\nTransfer: e\r\nDate: Sat, 21 Nov 2026 19:00:00 GMT\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func writesWholeNumbersInDecimal() {
        for value in [0, 7, 10, 429, 1_700_000_000, -1, -305, Int.max, Int.min] {
            var out = Array("n=".utf8)
            out.appendDecimal(value)
            #expect(String(decoding: out, as: UTF8.self) == "n=\(value)")
        }
    }

    @Test func headResponsesKeepTheLengthButSendNoBody() {
        let text = write(HTTPResponse(status: 200, body: Array("hello".utf8)), headOnly: true)
        #expect(text.hasSuffix("Content-Length: 5\r\n\r\n"))
    }

    @Test func noContentHasNoLengthAndNoBody() {
        let text = write(HTTPResponse(status: 204, body: Array("ignored".utf8)))
        #expect(text == "HTTP/1.1 204 No Content\r\nDate: Sat, 21 Nov 2026 19:00:00 GMT\r\n\r\n")
    }

    @Test func announcesKeepAliveToHTTP10Clients() {
        #expect(write(HTTPResponse(status: 200), keepAlive10: true).contains("Connection: keep-alive\r\n"))
    }

    @Test func formatsDatesAsIMFFixdate() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }
}
