import Testing
import FaultlineHTTP
import FaultlineTesting
#if canImport(Glibc)
import Glibc
#endif

/// HTTP/1.1 behaviour on the wire, through real sockets.
@Suite struct HTTPServerTests {
    let host = "Host: 127.0.0.1\r\n"

    @Test func keepsHTTP11ConnectionsOpenAndClosesWhenAsked() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        let first = try client.request("GET", "/trackbot/v1/shipments?scenario=429")
        #expect(first.headers["Connection"] == nil)
        let second = try client.request("GET", "/trackbot/v1/shipments?scenario=500", headers: [("Connection", "close")])
        #expect(second.status == 500)
        #expect(second.headers["Connection"] == "close")
        #expect(client.isClosedByServer())
    }

    @Test func closesHTTP10ConnectionsUnlessKeepAliveIsAsked() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let plain = try server.client()
        try plain.send("GET /generic/api/v1/users?scenario=UNAUTHENTICATED HTTP/1.0\r\n\r\n")
        let closing = try plain.readResponse()
        #expect(closing.status == 401)
        #expect(closing.headers["Connection"] == "close")
        #expect(plain.isClosedByServer())

        let kept = try server.client()
        try kept.send("GET /generic/api/v1/users?scenario=UNAUTHENTICATED HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try kept.readResponse().headers["Connection"] == "keep-alive")
        try kept.send("GET /generic/api/v1/users?scenario=RESOURCE_NOT_FOUND HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try kept.readResponse().status == 404)
    }

    @Test func answersPipelinedRequestsInOrder() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        let scenarios = ["401", "402", "404", "429", "500", "default"]
        try client.send(scenarios.map { "GET /trackbot/v1/shipments?scenario=\($0) HTTP/1.1\r\n\(host)Authorization: Bearer t\r\n\r\n" }.joined())
        let statuses = try scenarios.map { _ in try client.readResponse().status }
        #expect(statuses == [401, 402, 404, 429, 500, 200])
    }

    @Test func answersThousandsOfPipelinedRequestsInOrderWithBoundedBuffering() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client(timeout: 10)
        let scenarios = (0..<3_000).map { ["401", "402", "429"][$0 % 3] }
        try client.send(scenarios.map { "GET /trackbot/v1/shipments?scenario=\($0) HTTP/1.1\r\n\(host)\r\n" }.joined())
        let statuses = try scenarios.map { _ in try client.readResponse().status }
        #expect(statuses == scenarios.map { Int($0)! })
    }

    @Test func sendsContinueThenReadsTheBodyTemplatesUse() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        let body = #"{"courier":"fedex"}"#
        try client.send("POST /flexforward/labels?scenario=courier_error HTTP/1.1\r\n\(host)Expect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
        #expect(try client.readResponse().status == 100)
        try client.send(body)
        let final = try client.readResponse()
        #expect(final.status == 502)
        #expect(final.text.contains(#""courier":"fedex""#))
    }

    @Test func readsChunkedRequestBodies() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        try client.send("POST /flexforward/labels?scenario=courier_error HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n5\r\n{\"cou\r\nA;x=y\r\nrier\":\"ups\r\n2\r\n\"}\r\n0\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 502)
        #expect(response.text.contains(#""courier":"ups""#))
    }

    @Test func headGetsTheHeadersAndLengthWithoutABody() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        let get = try client.request("GET", "/trackbot/v1/shipments?scenario=validation_failed")
        let head = try client.request("HEAD", "/trackbot/v1/shipments?scenario=validation_failed")
        #expect(head.status == 400)
        #expect(head.body.isEmpty)
        #expect(head.headers["Content-Length"] == String(get.body.count))
        // The connection is still in step: no stray body bytes were sent after the HEAD response.
        #expect(try client.request("GET", "/trackbot/v1/shipments?scenario=401").status == 401)
    }

    struct WireRejection: CustomTestStringConvertible, Sendable {
        let name: String
        let request: String
        let status: Int
        var testDescription: String { name }
    }

    static let wireRejections: [WireRejection] = [
        WireRejection(name: "garbage", request: "HELLO\r\n\r\n", status: 400),
        WireRejection(name: "smuggling: Content-Length and Transfer-Encoding", request: "POST /generic/api/v1/users HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400),
        WireRejection(name: "conflicting lengths", request: "POST /generic/api/v1/users HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc", status: 400),
        WireRejection(name: "unknown transfer coding", request: "POST /generic/api/v1/users HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: br\r\n\r\n", status: 501),
        WireRejection(name: "HTTP/2 preface version", request: "GET / HTTP/2.0\r\nHost: h\r\n\r\n", status: 505),
        WireRejection(name: "long request line", request: "GET /\(String(repeating: "x", count: 9_000)) HTTP/1.1\r\nHost: h\r\n\r\n", status: 414),
        WireRejection(name: "large header section", request: "GET / HTTP/1.1\r\nHost: h\r\nX-Big: \(String(repeating: "y", count: 17_000))\r\n\r\n", status: 431),
        WireRejection(name: "too many headers", request: "GET / HTTP/1.1\r\nHost: h\r\n" + (0..<101).map { "X-\($0): v\r\n" }.joined() + "\r\n", status: 431),
        WireRejection(name: "a Host that is not a host (RFC 9112 §3.2)", request: "GET /trackbot/v1/couriers HTTP/1.1\r\nHost: bad host name\r\n\r\n", status: 400),
        WireRejection(name: "body over the limit", request: "POST /generic/api/v1/users HTTP/1.1\r\nHost: h\r\nContent-Length: 2000000\r\n\r\n", status: 413),
    ]

    @Test(arguments: wireRejections)
    func answersBadRequestsWithAStatusThenClosesAndKeepsServing(_ rejection: WireRejection) throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let bad = try server.client()
        try bad.send(rejection.request)
        let response = try bad.readResponse()
        #expect(response.status == rejection.status)
        #expect(response.headers["Connection"] == "close")
        #expect(bad.isClosedByServer())
        let good = try server.client()
        #expect(try good.request("GET", "/trackbot/v1/shipments?scenario=429").status == 429)
    }

    @Test func cutsOffAClientThatSendsItsHeadersTooSlowly() throws {
        let server = try TestServer.start { $0.requestTimeout = 0.3 }
        defer { server.stop() }
        let slow = try server.client(timeout: 3)
        try slow.send("GET /trackbot/v1/shipments HTTP/1.1\r\nHost: h\r\n")
        let started = Clock.now()
        for _ in 0..<3 {
            usleep(100_000)
            try? slow.send("X-Drip: 1\r\n")
        }
        let response = try slow.readResponse()
        #expect(response.status == 408)
        #expect(response.headers["Connection"] == "close")
        #expect(slow.isClosedByServer())
        #expect(Clock.now() - started < 2.0)
        #expect(try server.client().request("GET", "/trackbot/v1/shipments?scenario=401").status == 401)
    }

    @Test func closesIdleKeepAliveConnectionsAfterTheIdleTimeout() throws {
        let server = try TestServer.start { $0.idleTimeout = 0.3 }
        defer { server.stop() }
        let client = try server.client(timeout: 3)
        #expect(try client.request("GET", "/trackbot/v1/shipments", headers: [("Authorization", "Bearer t")]).status == 200)
        let started = Clock.now()
        #expect(client.isClosedByServer())
        let waited = Clock.now() - started
        #expect(waited > 0.2 && waited < 2.0)
    }

    @Test func holdsAThousandConcurrentConnections() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let clients = try (0..<1_000).map { _ in try server.client() }
        for (i, client) in clients.enumerated() where i % 2 == 0 {
            try client.send("GET /trackbot/v1/shipments?scenario=429 HTTP/1.1\r\nHost: h\r\n\r\n")
        }
        for (i, client) in clients.enumerated() where i % 2 == 0 {
            #expect(try client.readResponse().status == 429)
        }
        for (i, client) in clients.enumerated() where i % 2 == 1 {
            #expect(try client.request("GET", "/trackbot/v1/shipments?scenario=402").status == 402)
        }
    }

    @Test func shutdownClosesIdleConnectionsAndStopsAccepting() throws {
        let server = try TestServer.start()
        let client = try server.client()
        #expect(try client.request("GET", "/trackbot/v1/shipments", headers: [("Authorization", "Bearer t")]).status == 200)
        let port = server.port
        server.stop()
        #expect(client.isClosedByServer())
        #expect(throws: TestHTTPClient.Failure.self) { try TestHTTPClient(port: port) }
    }

    @Test func writesAnAccessLogRecordPerRequest() throws {
        let records = RecordBox()
        let server = try TestServer.start { $0.accessLog = { records.append($0) } }
        defer { server.stop() }
        let client = try server.client()
        _ = try client.request("POST", "/aftership/v4/trackings?scenario=4003", body: "{}")
        _ = try client.request("GET", "/nowhere")
        let logged = records.all
        #expect(logged.map(\.status) == [400, 404])
        #expect(logged.map(\.label) == ["4003", "faultline:no-endpoint"])
        #expect(logged.first?.method == "POST")
        #expect(logged.first?.target == "/aftership/v4/trackings?scenario=4003")
    }
}

final class RecordBox: @unchecked Sendable {
    private var records: [AccessLogRecord] = []
    private let lock = NSLockLike()

    func append(_ record: AccessLogRecord) { lock.withLock { records.append(record) } }
    var all: [AccessLogRecord] { lock.withLock { records } }
}

/// A pthread mutex, to keep the test free of Foundation.
final class NSLockLike: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}

enum Clock {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
