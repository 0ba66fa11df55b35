import Testing
@testable import FaultlineHTTP

/// Headers made from a `FieldPlan` (a compiled answer's) hold only wire bytes until something
/// changes or walks them; everything must see the same fields as if they had been added one
/// by one.
@Suite struct HTTPHeadersPlanTests {
    private static let fields: [(name: String, fixed: String?)] = [
        ("Content-Type", "application/json"), ("X-RateLimit-Limit", nil), ("X-RateLimit-Remaining", nil),
        ("Retry-After", "30"), ("X-RateLimit-Reset", nil), ("Vary", "Origin, Accept"),
    ]
    private static let rendered = ["X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "", "X-RateLimit-Reset": "1700000000"]

    private func planned() throws -> HTTPHeaders {
        let plan = try #require(FieldPlan(Self.fields))
        return HTTPHeaders(plan: plan) { i, wire in wire.append(contentsOf: Array(Self.rendered[Self.fields[i].name]!.utf8)) }
    }

    private func plain() -> HTTPHeaders {
        var headers = HTTPHeaders()
        for field in Self.fields { headers.add(name: field.name, value: field.fixed ?? Self.rendered[field.name]!) }
        return headers
    }

    private func write(_ headers: HTTPHeaders, status: Int = 429, body: [UInt8] = Array("{}".utf8), headOnly: Bool = false, close: Bool = false) -> String {
        var out: [UInt8] = []
        HTTPResponseWriter.write(HTTPResponse(status: status, headers: headers, body: body), headOnly: headOnly, close: close, announceKeepAlive: false,
                                 date: Array("Sat, 21 Nov 2026 19:00:00 GMT".utf8), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func readsAsTheSameFieldsAddedOneByOne() throws {
        let headers = try planned()
        let expected = plain()
        #expect(headers == expected)
        #expect(headers.count == 6 && !headers.isEmpty)
        #expect(headers.map(\.name) == expected.map(\.name))
        #expect(headers.map(\.value) == expected.map(\.value))
        for field in Self.fields {
            #expect(headers[field.name.uppercased()] == expected[field.name], "\(field.name)")
            #expect(headers.values(field.name) == expected.values(field.name))
        }
        #expect(headers["X-RateLimit-Remaining"] == "")
        #expect(headers["Missing"] == nil)
        #expect(headers.containsToken("accept", in: "vary"))
        #expect(!headers.containsToken("cookie", in: "Vary"))
    }

    @Test func changesLandAsOnOrdinaryFields() throws {
        var added = try planned()
        added.add(name: "x-ratelimit-limit", value: "99")
        #expect(added["X-RateLimit-Limit"] == "10")
        #expect(added.values("X-RateLimit-Limit") == ["10", "99"])
        #expect(added.count == 7)

        var replaced = try planned()
        replaced.replaceOrAdd(name: "retry-after", value: "5")
        var expected = plain()
        expected.replaceOrAdd(name: "retry-after", value: "5")
        #expect(replaced == expected)
        #expect(write(replaced) == write(expected))

        var removed = try planned()
        removed.remove(name: "X-RATELIMIT-RESET")
        expected = plain()
        expected.remove(name: "X-RateLimit-Reset")
        #expect(removed == expected)
        #expect(write(removed) == write(expected))
    }

    @Test func goesOnTheWireAsTheSameFieldsAddedPlainly() throws {
        let headers = try planned()
        for status in [200, 204, 429] {
            for (headOnly, close) in [(false, false), (true, false), (false, true)] {
                #expect(write(headers, status: status, headOnly: headOnly, close: close) == write(plain(), status: status, headOnly: headOnly, close: close))
            }
        }
        // A field added after the plan's goes out after them, as it would on plain fields.
        var extended = headers
        extended.add(name: "Content-Encoding", value: "gzip")
        var expected = plain()
        expected.add(name: "Content-Encoding", value: "gzip")
        #expect(write(extended) == write(expected))
        #expect(write(headers).hasPrefix("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nX-RateLimit-Limit: 10\r\nX-RateLimit-Remaining: \r\nRetry-After: 30\r\n"))
    }

    @Test func aRenderedValueLosesItsControlCharacters() throws {
        let plan = try #require(FieldPlan([("X-Echo", nil), ("X-After", "1")]))
        let headers = HTTPHeaders(plan: plan) { _, wire in wire.append(contentsOf: Array("a\r\nInjected: 1\u{7F}\u{0}".utf8)) }
        #expect(headers["x-echo"] == "aInjected: 1")
        #expect(headers["X-After"] == "1")
        #expect(write(headers).hasPrefix("HTTP/1.1 429 Too Many Requests\r\nX-Echo: aInjected: 1\r\nX-After: 1\r\nDate: "))
    }

    @Test func readsAValueAsBytesWhereverItLives() throws {
        func bytes(_ headers: HTTPHeaders, _ name: String) -> String? {
            var found: String?
            let present = headers.withValue(of: name) { found = String(decoding: $0, as: UTF8.self) }
            #expect(present == (found != nil))
            return found
        }
        var headers = try planned()
        headers.add(name: "X-Extra", value: "7")
        #expect(bytes(headers, "retry-after") == "30")
        #expect(bytes(headers, "X-RateLimit-Reset") == "1700000000")
        #expect(bytes(headers, "X-RateLimit-Remaining") == "")
        #expect(bytes(headers, "x-extra") == "7")
        #expect(bytes(headers, "Missing") == nil)
        #expect(bytes(plain(), "X-RateLimit-Reset") == "1700000000")
    }

    @Test func aPlanWithAFramingNameIsRefused() {
        #expect(FieldPlan([("A", nil), ("Content-Length", "3")]) == nil)
        #expect(FieldPlan([("A", nil), ("connection", nil)]) == nil)
        #expect(FieldPlan([("A", nil)]) != nil)
    }
}
