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

    @Test func preparedFieldsGoOutInOrderWithTheOnesAddedAfterThem() {
        var headers = HTTPHeaders()
        headers.appendPrepared(name: "Content-Type", value: "application/json", line: Array("Content-Type: application/json\r\n".utf8))
        headers.appendRendered(name: "X-RateLimit-Reset", prefix: Array("X-RateLimit-Reset: ".utf8)) { $0.appendDecimal(1_700_000_000) }
        headers.add(name: "Vary", value: "Accept-Encoding")
        // After a plain add the wire form stops: a later prepared field is an ordinary one.
        headers.appendPrepared(name: "X-Late", value: "1", line: Array("X-Late: 1\r\n".utf8))
        headers.appendRendered(name: "X-Later", prefix: Array("X-Later: ".utf8)) { $0.appendDecimal(2) }
        #expect(headers["x-ratelimit-reset"] == "1700000000")
        #expect(headers.map(\.name) == ["Content-Type", "X-RateLimit-Reset", "Vary", "X-Late", "X-Later"])
        let text = write(HTTPResponse(status: 200, headers: headers))
        #expect(text == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-RateLimit-Reset: 1700000000\r\nVary: Accept-Encoding\r\nX-Late: 1\r\nX-Later: 2\r\nDate: Sat, 21 Nov 2026 19:00:00 GMT\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func aRenderedFramingFieldIsDroppedAndTheRestStillWritten() {
        var headers = HTTPHeaders()
        headers.appendRendered(name: "Connection", prefix: nil) { $0.append(contentsOf: Array("upgrade".utf8)) }
        headers.appendPrepared(name: "X-After", value: "1", line: Array("X-After: 1\r\n".utf8))
        #expect(headers["connection"] == "upgrade")
        let text = write(HTTPResponse(status: 200, headers: headers))
        #expect(text == "HTTP/1.1 200 OK\r\nX-After: 1\r\nDate: Sat, 21 Nov 2026 19:00:00 GMT\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func aChangedPreparedFieldIsWrittenAsItNowIs() {
        var headers = HTTPHeaders()
        headers.appendPrepared(name: "Vary", value: "Origin", line: Array("Vary: Origin\r\n".utf8))
        headers.appendPrepared(name: "A", value: "1", line: Array("A: 1\r\n".utf8))
        headers.appendPrepared(name: "B", value: "2", line: Array("B: 2\r\n".utf8))
        headers.replaceOrAdd(name: "Vary", value: "Origin, Accept-Encoding")
        headers.remove(name: "A")
        let text = write(HTTPResponse(status: 200, headers: headers))
        #expect(text == "HTTP/1.1 200 OK\r\nVary: Origin, Accept-Encoding\r\nB: 2\r\nDate: Sat, 21 Nov 2026 19:00:00 GMT\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func aRenderedValueLosesItsControlCharactersPreparedOrNot() {
        let hostile = Array("a\r\nInjected: 1\u{7F}\u{0}".utf8)
        var prepared = HTTPHeaders()
        prepared.appendRendered(name: "X-Echo", prefix: Array("X-Echo: ".utf8)) { $0.append(contentsOf: hostile) }
        var plain: HTTPHeaders = ["X-First": "0"]
        plain.appendRendered(name: "X-Echo", prefix: Array("X-Echo: ".utf8)) { $0.append(contentsOf: hostile) }
        #expect(prepared["X-Echo"] == "aInjected: 1")
        #expect(plain["X-Echo"] == "aInjected: 1")
        #expect(write(HTTPResponse(status: 200, headers: prepared)).hasPrefix("HTTP/1.1 200 OK\r\nX-Echo: aInjected: 1\r\nDate: "))
        #expect(write(HTTPResponse(status: 200, headers: plain)).hasPrefix("HTTP/1.1 200 OK\r\nX-First: 0\r\nX-Echo: aInjected: 1\r\nDate: "))
    }

    @Test func aFullyPreparedResponseIsWrittenAsTheSameFieldsAddedPlainly() {
        // All fields prepared takes the one-copy path; the same fields added plainly the general
        // one. Every framing case must come out byte for byte the same.
        let fields = [("Content-Type", "application/json"), ("Retry-After", "30"), ("X-RateLimit-Reset", "1700000000")]
        var prepared = HTTPHeaders()
        var plain = HTTPHeaders()
        for (name, value) in fields {
            prepared.appendPrepared(name: name, value: value, line: Array("\(name): \(value)\r\n".utf8))
            plain.add(name: name, value: value)
        }
        let bodies: [[UInt8]] = [[], Array("{}".utf8), Array(repeating: UInt8(ascii: "x"), count: 12_345)]
        for status in [200, 204, 304, 429, 503] {
            for body in bodies {
                for (headOnly, close, keepAlive10) in [(false, false, false), (true, false, false), (false, true, false), (false, false, true)] {
                    let fast = write(HTTPResponse(status: status, headers: prepared, body: body), headOnly: headOnly, close: close, keepAlive10: keepAlive10)
                    let general = write(HTTPResponse(status: status, headers: plain, body: body), headOnly: headOnly, close: close, keepAlive10: keepAlive10)
                    #expect(fast == general, "status \(status), body \(body.count), head \(headOnly), close \(close), 1.0 \(keepAlive10)")
                }
            }
        }
        #expect(write(HTTPResponse(status: 429, headers: prepared, body: Array("{}".utf8)), close: true)
            == "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: 30\r\nX-RateLimit-Reset: 1700000000\r\nDate: Sat, 21 Nov 2026 19:00:00 GMT\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
    }

    @Test func aHeadTooLargeForTheStackIsStillWrittenWhole() {
        var headers = HTTPHeaders()
        let value = String(repeating: "v", count: 10_000)
        headers.appendPrepared(name: "X-Big", value: value, line: Array("X-Big: \(value)\r\n".utf8))
        let text = write(HTTPResponse(status: 200, headers: headers, body: Array("ok".utf8)))
        #expect(text == "HTTP/1.1 200 OK\r\nX-Big: \(value)\r\nDate: Sat, 21 Nov 2026 19:00:00 GMT\r\nContent-Length: 2\r\n\r\nok")
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
