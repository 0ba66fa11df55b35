import Testing
@testable import FaultlineHTTP

/// Runs the parser over `text` in one piece and returns every event up to the first
/// `needMore` or error.
private func parseAll(_ text: String, limits: HTTPParserLimits = .init()) -> [HTTPRequestParser.Event] {
    var parser = HTTPRequestParser(limits: limits)
    var bytes = Array(text.utf8)
    var events: [HTTPRequestParser.Event] = []
    while true {
        let (event, consumed) = bytes.withUnsafeBufferPointer { parser.parse($0) }
        bytes.removeFirst(consumed)
        switch event {
        case .needMore: return events
        case .error: events.append(event); return events
        default: events.append(event)
        }
        if bytes.isEmpty, case .request = event { return events }
    }
}

private func requests(_ events: [HTTPRequestParser.Event]) -> [HTTPRequest] {
    events.compactMap { if case .request(let r) = $0 { r } else { nil } }
}

private func errorStatus(_ events: [HTTPRequestParser.Event]) -> Int? {
    for case .error(let e) in events { return e.status }
    return nil
}

@Suite struct HTTPRequestParserTests {
    /// The parser finds the `?` while it checks the target; the path and query it hands on
    /// must be those the general split (a target set afterwards) finds.
    /// The first bytes of the query's keys rule parameters out without a scan; a key that is
    /// escaped (or starts with `+`) rules nothing out, and neither does a request made by hand.
    @Test func notesWhichBytesTheQueryKeysStartWith() throws {
        func parsed(_ target: String) throws -> HTTPRequest {
            try #require(requests(parseAll("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n")).first)
        }
        let plain = try parsed("/a&delay?scenario=1&faultline_client=x")
        #expect(QueryString.mayHave("scenario", initials: plain.queryInitials))
        #expect(QueryString.mayHave("faultline_client", initials: plain.queryInitials))
        #expect(!QueryString.mayHave("delay", initials: plain.queryInitials))
        #expect(!QueryString.mayHave("dribble", initials: try parsed("/a").queryInitials))
        #expect(QueryString.mayHave("delay", initials: try parsed("/a?x=1&%64elay=2").queryInitials))
        #expect(QueryString.mayHave("delay", initials: try parsed("/a?x=1#&delay=2").queryInitials))
        #expect(QueryString.mayHave("delay", initials: HTTPRequest(method: "GET", target: "/a?x=1").queryInitials))
        var changed = plain
        changed.target = "/b?delay=1"
        #expect(QueryString.mayHave("delay", initials: changed.queryInitials))
        changed = plain
        changed.headers.add(name: "X", value: "1")
        #expect(!QueryString.mayHave("delay", initials: changed.queryInitials))
    }

    /// The fields that decide framing are noted while the field lines are parsed, by name in
    /// any case: each must still count.
    @Test func recognisesFramingFieldsWhateverTheirCase() throws {
        #expect(errorStatus(parseAll("POST /p HTTP/1.1\r\nHOST: h\r\ntransfer-ENCODING: chunked\r\ncontent-LENGTH: 3\r\n\r\n")) == 400)
        #expect(errorStatus(parseAll("GET / HTTP/1.1\r\nhost: a\r\nHoSt: b\r\n\r\n")) == 400)
        #expect(errorStatus(parseAll("GET / HTTP/1.1\r\nX-Host: a\r\n\r\n")) == 400)
        #expect(errorStatus(parseAll("PUT /u HTTP/1.1\r\nhost: h\r\nEXPECT: 200-ok\r\n\r\n")) == 417)
        let request = try #require(requests(parseAll("POST /p HTTP/1.1\r\nhost: h\r\nCONTENT-length: 2\r\n\r\nok")).first)
        #expect(request.body == Array("ok".utf8))
        let chunked = try #require(requests(parseAll("POST /p HTTP/1.1\r\nhost: h\r\nTRANSFER-encoding: Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")).first)
        #expect(chunked.body == Array("ok".utf8))
    }

    /// An invalid UTF-8 byte in the target decodes to U+FFFD (three bytes): the parser's byte
    /// offsets no longer fit the text, so the request splits the target itself.
    @Test func aTargetWithInvalidUTF8IsSplitAsText() throws {
        var parser = HTTPRequestParser(limits: .init())
        let bytes = Array("GET /users/".utf8) + [0xFF] + Array("?scenario=rate_limited&delay=1 HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
        let (event, _) = bytes.withUnsafeBufferPointer { parser.parse($0) }
        guard case .request(let request) = event else {
            Issue.record("expected a request, got \(event)")
            return
        }
        let general = HTTPRequest(method: "GET", target: request.target)
        #expect(request.path == general.path)
        #expect(request.path == "/users/\u{FFFD}")
        #expect(request.query == "scenario=rate_limited&delay=1")
        #expect(QueryString.mayHave("delay", initials: request.queryInitials))
    }

    @Test func splitsTheTargetAsTheRequestItselfWould() throws {
        let targets = ["/v4/trackings?scenario=429", "/v4/trackings", "/", "/x?", "/?a", "/a?b?c", "/a?b#c", "/a#b?c",
                       "http://example.com/p?k=v", "/caf%C3%A9?q=%C3%A9&r", "/a/b/?x=1&y=2"]
        for target in targets {
            let request = try #require(requests(parseAll("GET \(target) HTTP/1.1\r\nHost: h\r\n\r\n")).first, "\(target)")
            let general = HTTPRequest(method: "GET", target: target)
            #expect(request.path == general.path, "\(target)")
            #expect(request.query == general.query, "\(target)")
        }
    }

    @Test func parsesRequestLineAndKeepsHeaderOrderCaseAndDuplicates() throws {
        let events = parseAll("GET /a/b?x=1 HTTP/1.1\r\nHost: example\r\nX-Tag: one\r\nx-tag: two\r\nAccept:  */*  \r\n\r\n")
        let request = try #require(requests(events).first)
        #expect(request.method == "GET")
        #expect(request.target == "/a/b?x=1")
        #expect(request.path == "/a/b")
        #expect(request.query == "x=1")
        #expect(request.version == .http1_1)
        #expect(request.headers.map(\.name) == ["Host", "X-Tag", "x-tag", "Accept"])
        #expect(request.headers.values("X-TAG") == ["one", "two"])
        #expect(request.headers["accept"] == "*/*")
        #expect(request.body.isEmpty)
    }

    @Test func identicalContentLengthsInAnySpellingAreOneLength() throws {
        // RFC 9112 §6.3 (5): a list of one repeated value may be taken as that value.
        let events = parseAll("POST /p HTTP/1.1\r\nHost: h\r\ncontent-length: 5 , 5\r\nCONTENT-LENGTH:\t5\r\n\r\nhello")
        let request = try #require(requests(events).first)
        #expect(request.body == Array("hello".utf8))
    }

    @Test func fieldNamesAreKeptAsSentCaseAndAll() throws {
        let events = parseAll("GET / HTTP/1.1\r\nhost: h\r\nContent-Type: a\r\ncontent-TYPE: b\r\nAuthorization: c\r\nAccept-Encodings: d\r\n\r\n")
        let request = try #require(requests(events).first)
        #expect(request.headers.map(\.name) == ["host", "Content-Type", "content-TYPE", "Authorization", "Accept-Encodings"])
        #expect(request.headers.values("content-type") == ["a", "b"])
    }

    @Test func methodsAreKeptAsSentCaseAndAll() {
        // RFC 9110 §9.1: the method token is case-sensitive; `get` is not `GET`.
        for method in ["GET", "PUT", "POST", "HEAD", "PATCH", "DELETE", "OPTIONS", "get", "Post", "GETX", "PUTS", "HEAT", "G"] {
            let events = parseAll("\(method) / HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(requests(events).first?.method == method)
        }
    }

    @Test func readsContentLengthBody() throws {
        let events = parseAll("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world")
        let request = try #require(requests(events).first)
        #expect(String(decoding: request.body, as: UTF8.self) == "hello world")
    }

    @Test func decodesChunkedBodyWithExtensionsAndTrailers() throws {
        let text = "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n"
        let request = try #require(requests(parseAll(text)).first)
        #expect(String(decoding: request.body, as: UTF8.self) == "hello world")
    }

    @Test func answersPipelinedRequestsOneAtATimeInOrder() {
        let text = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nokGET /3 HTTP/1.1\r\nHost: h\r\n\r\n"
        #expect(requests(parseAll(text)).map(\.target) == ["/1", "/2", "/3"])
    }

    @Test func assemblesARequestFedOneByteAtATime() throws {
        let text = Array("POST /slow HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n".utf8)
        var parser = HTTPRequestParser()
        var pending: [UInt8] = []
        var result: HTTPRequest?
        for byte in text {
            pending.append(byte)
            let (event, consumed) = pending.withUnsafeBufferPointer { parser.parse($0) }
            pending.removeFirst(consumed)
            if case .request(let r) = event { result = r }
            if case .error(let e) = event { Issue.record("unexpected error \(e)") }
        }
        let request = try #require(result)
        #expect(String(decoding: request.body, as: UTF8.self) == "abc")
        #expect(pending.isEmpty)
    }

    @Test func ignoresEmptyLinesBeforeTheRequestLine() {
        #expect(requests(parseAll("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")).count == 1)
    }

    @Test func acceptsBareLineFeedsAsLineEnds() {
        #expect(requests(parseAll("GET / HTTP/1.1\nHost: h\n\n")).count == 1)
    }

    @Test func signalsExpectContinueBeforeTheBodyArrives() throws {
        var parser = HTTPRequestParser()
        let head = Array("PUT /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n".utf8)
        let (first, consumed) = head.withUnsafeBufferPointer { parser.parse($0) }
        guard case .continueExpected = first else {
            Issue.record("expected continueExpected, got \(first)")
            return
        }
        #expect(consumed == head.count)
        let body = Array("abc".utf8)
        let (second, _) = body.withUnsafeBufferPointer { parser.parse($0) }
        guard case .request(let request) = second else {
            Issue.record("expected the request, got \(second)")
            return
        }
        #expect(request.body == body)
    }

    @Test func keepAliveFollowsVersionAndConnectionHeader() throws {
        let cases: [(String, Bool)] = [
            ("GET / HTTP/1.1\r\nHost: h\r\n\r\n", true),
            ("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false),
            ("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, Close\r\n\r\n", false),
            ("GET / HTTP/1.0\r\n\r\n", false),
            ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
        ]
        for (text, keepAlive) in cases {
            let request = try #require(requests(parseAll(text)).first)
            #expect(request.keepAlive == keepAlive, "\(text)")
        }
    }

    @Test func absoluteFormTargetsMatchOnTheirPath() throws {
        let request = try #require(requests(parseAll("GET http://example.com/v4/trackings?scenario=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")).first)
        #expect(request.path == "/v4/trackings")
        #expect(request.query == "scenario=1")
    }

    struct Rejection: CustomTestStringConvertible, Sendable {
        let name: String
        let text: String
        let status: Int
        var limits = HTTPParserLimits()
        var testDescription: String { name }
    }

    static let rejections: [Rejection] = [
        Rejection(name: "HTTP/0.9 request line", text: "GET /\r\n\r\n", status: 400),
        Rejection(name: "two spaces in request line", text: "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", status: 400),
        Rejection(name: "unknown protocol", text: "GET / FOO/1.1\r\nHost: h\r\n\r\n", status: 400),
        Rejection(name: "HTTP/2.0", text: "GET / HTTP/2.0\r\nHost: h\r\n\r\n", status: 505),
        Rejection(name: "HTTP/1.2", text: "GET / HTTP/1.2\r\nHost: h\r\n\r\n", status: 505),
        Rejection(name: "relative target", text: "GET foo HTTP/1.1\r\nHost: h\r\n\r\n", status: 400),
        Rejection(name: "missing Host in 1.1", text: "GET / HTTP/1.1\r\n\r\n", status: 400),
        Rejection(name: "two Host headers", text: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400),
        Rejection(name: "Host with spaces", text: "GET / HTTP/1.1\r\nHost: bad host name\r\n\r\n", status: 400),
        Rejection(name: "Host with a path", text: "GET / HTTP/1.1\r\nHost: example.com/x\r\n\r\n", status: 400),
        Rejection(name: "Host with a letter in the port", text: "GET / HTTP/1.1\r\nHost: example.com:80a\r\n\r\n", status: 400),
        Rejection(name: "Host with a broken percent-encoding", text: "GET / HTTP/1.1\r\nHost: a%2\r\n\r\n", status: 400),
        Rejection(name: "Host with an unclosed IP literal", text: "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", status: 400),
        Rejection(name: "invalid Host in 1.0", text: "GET / HTTP/1.0\r\nHost: a b\r\n\r\n", status: 400),
        Rejection(name: "space before colon", text: "GET / HTTP/1.1\r\nHost : h\r\n\r\n", status: 400),
        Rejection(name: "obsolete line folding", text: "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  2\r\n\r\n", status: 400),
        Rejection(name: "control character in value", text: "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u{01}b\r\n\r\n", status: 400),
        Rejection(name: "Content-Length with Transfer-Encoding", text: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
        Rejection(name: "conflicting Content-Length", text: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", status: 400),
        Rejection(name: "conflicting Content-Length list", text: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 6\r\n\r\nhello", status: 400),
        Rejection(name: "non-numeric Content-Length", text: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -5\r\n\r\n", status: 400),
        Rejection(name: "empty Content-Length element", text: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: , 5\r\n\r\nhello", status: 400),
        Rejection(name: "empty Content-Length", text: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \r\n\r\n", status: 400),
        Rejection(name: "Content-Length with a sign", text: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\nhello", status: 400),
        Rejection(name: "unknown transfer coding", text: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", status: 501),
        Rejection(name: "chunked twice", text: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", status: 400),
        Rejection(name: "Transfer-Encoding in HTTP/1.0", text: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
        Rejection(name: "invalid chunk size", text: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", status: 400),
        Rejection(name: "chunk longer than its size", text: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", status: 400),
        Rejection(name: "unsupported expectation", text: "POST / HTTP/1.1\r\nHost: h\r\nExpect: party\r\nContent-Length: 1\r\n\r\nx", status: 417),
        Rejection(name: "request line over the limit", text: "GET /\(String(repeating: "a", count: 100)) HTTP/1.1\r\nHost: h\r\n\r\n", status: 414, limits: HTTPParserLimits(maxRequestLineLength: 64)),
        Rejection(name: "unterminated request line over the limit", text: "GET /\(String(repeating: "a", count: 100))", status: 414, limits: HTTPParserLimits(maxRequestLineLength: 64)),
        Rejection(name: "header section over the limit", text: "GET / HTTP/1.1\r\nHost: h\r\nX-Big: \(String(repeating: "b", count: 200))\r\n\r\n", status: 431, limits: HTTPParserLimits(maxHeaderBlockSize: 128)),
        Rejection(name: "too many header fields", text: "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", status: 431, limits: HTTPParserLimits(maxHeaderCount: 3)),
        Rejection(name: "Content-Length over the body limit", text: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n", status: 413, limits: HTTPParserLimits(maxBodySize: 999)),
        Rejection(name: "huge Content-Length", text: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n", status: 413),
        Rejection(name: "chunked body over the body limit", text: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n", status: 413, limits: HTTPParserLimits(maxBodySize: 10)),
    ]

    @Test(arguments: rejections)
    func rejectsMalformedOrOversizedRequests(_ rejection: Rejection) {
        #expect(errorStatus(parseAll(rejection.text, limits: rejection.limits)) == rejection.status)
    }

    /// RFC 9110 §7.2 with RFC 3986 §3.2.2: names, IPv4, bracketed IPv6, ports, and the empty
    /// value a client sends for a target without an authority.
    @Test(arguments: ["localhost", "127.0.0.1:8080", "[::1]:18080", "api.aftership.com", "my_host.local:", "a%41b", ""])
    func acceptsEveryValidHostForm(_ host: String) throws {
        let request = try #require(requests(parseAll("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n")).first)
        #expect(request.headers["Host"] == host)
    }

    @Test func staysFailedAfterAnError() {
        var parser = HTTPRequestParser()
        let bad = Array("GET / HTTP/9.9\r\nHost: h\r\n\r\n".utf8)
        _ = bad.withUnsafeBufferPointer { parser.parse($0) }
        let good = Array("GET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
        let (event, _) = good.withUnsafeBufferPointer { parser.parse($0) }
        guard case .error = event else {
            Issue.record("a failed connection must not parse further requests")
            return
        }
    }
}
