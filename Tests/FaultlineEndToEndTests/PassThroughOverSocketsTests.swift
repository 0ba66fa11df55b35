#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization
import Testing
import FaultlineHTTP
import FaultlineScenarios
import FaultlineTesting

/// `--proxy-unmatched`: what no endpoint of a vendor matches goes to the real API, over a
/// verified TLS connection, and comes back as the upstream gave it; an upstream that cannot be
/// had is a 502 in time, never a hang.
@Suite(.serialized) struct PassThroughOverSocketsTests {
    /// The "real API": a second Faultline over HTTPS with a self-signed certificate.
    static let upstreamFile = #"""
    {"vendor": "acme", "basePaths": ["/v1"], "headers": {"Content-Type": "application/json"}, "endpoints": [
      {"id": "get-item", "method": "GET", "path": "/items/{id}", "response": {"status": 200, "headers": {"X-Upstream": "yes"}, "body": {"id": "{{path.id}}", "q": "{{query.q}}", "host": "{{header.Host}}"}}},
      {"id": "echo", "method": "POST", "path": "/echo", "response": {"status": 201, "body": {"name": "{{body.name}}", "test": "{{header.X-Test}}", "connection": "{{header.Connection}}"}}}
    ]}
    """#
    /// What the test emulates itself: only the health check.
    static let frontFile = #"""
    {"vendor": "acme", "basePaths": ["/v1"], "endpoints": [{"id": "health", "method": "GET", "path": "/health", "response": {"status": 200, "text": "local"}}]}
    """#
    static let otherFile = #"""
    {"vendor": "other", "basePaths": [""], "endpoints": [{"id": "ping", "method": "GET", "path": "/ping", "response": {"status": 200, "text": "pong"}}]}
    """#

    static func front(_ upstream: Upstream, vendor: String? = "acme", log: @escaping @Sendable (String) -> Void = { _ in }) throws -> TestServer {
        var options = ScenarioEngine.Options()
        var passThrough = PassThrough()
        if let vendor { passThrough.upstreams[vendor] = upstream } else { passThrough.fallback = upstream }
        passThrough.log = log
        options.passThrough = passThrough
        return try TestServer.start(files: ["acme.json": frontFile, "other.json": otherFile], options: options)
    }

    @Test func unmatchedRequestsReachAnHTTPSUpstreamVerifiedAgainstItsCA() throws {
        let files = try TLSOverSocketsTests.Certificate()
        let context = try TLSContext.selfSigned(certificatePath: files.certificate)
        let upstreamServer = try TestServer.start(files: ["acme.json": Self.upstreamFile], options: .init(singleVendor: "acme")) { configuration in
            configuration.tls = context
            configuration.tlsPort = 0
        }
        defer { upstreamServer.stop() }
        var upstream = try Upstream(url: "https://127.0.0.1:\(try #require(upstreamServer.tlsPort))/")
        upstream.caFile = files.certificate
        let front = try Self.front(upstream)
        defer { front.stop() }
        let client = try front.client()

        let item = try client.request("GET", "/acme/v1/items/7?q=a%20b", headers: [("Connection", "keep-alive")])
        #expect(item.status == 200)
        #expect(item.text == #"{"id":"7","q":"a b","host":"127.0.0.1:\#(upstreamServer.tlsPort!)"}"#)
        #expect(item.headers["X-Upstream"] == "yes")
        #expect(item.headers["Content-Type"] == "application/json")
        #expect(item.headers.values("Date").count == 1)
        // The connection stays usable after a proxied answer, and matched endpoints stay local.
        let local = try client.request("GET", "/acme/v1/health")
        #expect(local.status == 200 && local.text == "local")

        let echo = try client.request("POST", "/acme/v1/echo", headers: [("Content-Type", "application/json"), ("X-Test", "kept")], body: #"{"name":"Ada"}"#)
        #expect(echo.status == 201)
        #expect(echo.text == #"{"name":"Ada","test":"kept","connection":"close"}"#)

        // Another vendor has no upstream: its own 404 as before.
        #expect(try client.request("GET", "/other/nothing").status == 404)

        let journal = front.requests()
        let proxied = journal.filter(\.proxied)
        #expect(proxied.map(\.status) == [200, 201])
        #expect(proxied.allSatisfy { $0.vendor == "acme" && $0.endpoint == nil && $0.scenario == "proxied" })
        #expect(journal.filter { !$0.proxied }.map(\.status) == [200, 404])
    }

    @Test func anUpstreamWhoseCertificateIsNotTrustedAnswers502() throws {
        let files = try TLSOverSocketsTests.Certificate()
        let context = try TLSContext.selfSigned(certificatePath: files.certificate)
        let upstreamServer = try TestServer.start(files: ["acme.json": Self.upstreamFile]) { configuration in
            configuration.tls = context
            configuration.tlsPort = 0
        }
        defer { upstreamServer.stop() }
        // No CA given: the system's store, which does not know the self-signed certificate.
        let front = try Self.front(try Upstream(url: "https://127.0.0.1:\(try #require(upstreamServer.tlsPort))"))
        defer { front.stop() }
        let response = try front.client().request("GET", "/acme/v1/items/1")
        #expect(response.status == 502)
        #expect(response.headers["Faultline-Error"] == "upstream-failed")
        #expect(response.text.contains("certificate verify failed"))
    }

    @Test func aRefusedConnectionAnswers502WithAFaultlineBodyAndALogLine() throws {
        let port = try RawUpstream.closedPort()
        let lines = Mutex<[String]>([])
        let front = try Self.front(try Upstream(url: "http://127.0.0.1:\(port)/base"), vendor: nil) { line in lines.withLock { $0.append(line) } }
        defer { front.stop() }
        let response = try front.client().request("DELETE", "/other/ping/1")
        #expect(response.status == 502)
        #expect(response.text == #"{"faultline":{"error":"upstream-failed","message":"The upstream did not answer DELETE /ping/1: connect(127.0.0.1:\#(port)) failed: Connection refused (errno 111).","upstream":"http://127.0.0.1:\#(port)/base"}}"#)
        #expect(lines.withLock { $0 } == ["faultline: upstream http://127.0.0.1:\(port)/base failed for DELETE /ping/1: connect(127.0.0.1:\(port)) failed: Connection refused (errno 111); answered 502"])
        #expect(front.requests().map(\.proxied) == [true])
    }

    @Test func aSilentUpstreamAnswers502WithinItsTimeout() throws {
        let silent = try RawUpstream(answer: nil)
        var upstream = try Upstream(url: "http://127.0.0.1:\(silent.port)")
        upstream.timeout = 0.3
        let front = try Self.front(upstream)
        defer { front.stop() }
        let started = DispatchTime.now().uptimeNanoseconds
        let response = try withExtendedLifetime(silent) { try front.client(timeout: 10).request("GET", "/acme/v1/slow") }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        #expect(response.status == 502)
        #expect(response.text.contains("no complete answer in time"), "\(response.text)")
        #expect(elapsed < 5)
    }

    @Test func aChunkedUpstreamAnswerIsPassedOnWholeAndAnOversizedOneIsRefused() throws {
        let chunked = try RawUpstream(answer: "HTTP/1.1 429 Too Many Requests\r\nTransfer-Encoding: chunked\r\nRetry-After: 7\r\nContent-Type: text/plain\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n")
        let front = try Self.front(try Upstream(url: "http://127.0.0.1:\(chunked.port)"))
        defer { front.stop() }
        let response = try withExtendedLifetime(chunked) { try front.client().request("GET", "/acme/v1/limited") }
        #expect(response.status == 429)
        #expect(response.text == "hello world")
        #expect(response.headers["Retry-After"] == "7")
        #expect(response.headers["Transfer-Encoding"] == nil)
        #expect(response.headers["Content-Length"] == "11")

        let big = try RawUpstream(answer: "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n" + String(repeating: "x", count: 2000))
        var limited = try Upstream(url: "http://127.0.0.1:\(big.port)")
        limited.bodyLimit = 1000
        let front2 = try Self.front(limited)
        defer { front2.stop() }
        let refused = try withExtendedLifetime(big) { try front2.client().request("GET", "/acme/v1/big") }
        #expect(refused.status == 502)
        #expect(refused.headers["Faultline-Error"] == "upstream-body-too-large")
    }
}

extension PassThroughOverSocketsTests {
    @Test func malformedUpstreamFramingIsA502NeverACrash() throws {
        let answers = [
            "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\nx\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n",
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\ncut sh",
        ]
        for (index, answer) in answers.enumerated() {
            let upstream = try RawUpstream(answer: answer, reset: index == answers.count - 1)
            let front = try Self.front(try Upstream(url: "http://127.0.0.1:\(upstream.port)"))
            defer { front.stop() }
            let response = try withExtendedLifetime(upstream) { try front.client().request("GET", "/acme/v1/framing") }
            #expect(response.status == 502, "answer \(index): \(response.text)")
            #expect(response.headers["Faultline-Error"] == "upstream-failed", "answer \(index)")
        }
    }

    @Test func anUpstreamTricklingItsAnswerIsCutOffAtTheTimeout() throws {
        let body = String(repeating: "x", count: 200)
        let trickling = try RawUpstream(answer: "HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n\r\n" + body, trickle: 20_000)
        var upstream = try Upstream(url: "http://127.0.0.1:\(trickling.port)")
        upstream.timeout = 0.5
        let front = try Self.front(upstream)
        defer { front.stop() }
        let started = DispatchTime.now().uptimeNanoseconds
        let response = try withExtendedLifetime(trickling) { try front.client(timeout: 10).request("GET", "/acme/v1/trickle") }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        // 200 bytes at one per 20 ms would take 4 s; each read alone never waits long.
        #expect(response.status == 502)
        #expect(elapsed < 2, "took \(elapsed) s")
    }

    /// A client that resets while its answer is pending (or delayed) is closed at once, not
    /// when the hold ends: epoll reports the hang-up on every wait until then.
    @Test func aClientThatHangsUpWhileItsAnswerIsHeldIsClosedAtOnce() throws {
        let silent = try RawUpstream(answer: nil)
        var upstream = try Upstream(url: "http://127.0.0.1:\(silent.port)")
        upstream.timeout = 1
        let front = try Self.front(upstream)
        defer { front.stop() }
        for target in ["/acme/v1/pending", "/acme/v1/health?delay=5000"] {
            var open = 0
            do {
                let client = try front.client()
                try client.send("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n")
                for _ in 0..<200 where open == 0 {
                    open = front.server.metrics().openConnections
                    usleep(5_000)
                }
                #expect(open == 1, "\(target): the connection never showed as open")
                client.reset()
            }
            // Released: closed with SO_LINGER 0, a reset.
            for _ in 0..<200 where open > 0 {
                usleep(5_000)
                open = front.server.metrics().openConnections
            }
            #expect(open == 0, "\(target): still open a second after the reset")
        }
        withExtendedLifetime(silent) {}
    }

    @Test func interimAnswersAreSkippedAndHEADKeepsTheUpstreamsLength() throws {
        let early = try RawUpstream(answer: "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\n\r\nok")
        let front = try Self.front(try Upstream(url: "http://127.0.0.1:\(early.port)"))
        defer { front.stop() }
        let answer = try withExtendedLifetime(early) { try front.client().request("GET", "/acme/v1/early") }
        #expect(answer.status == 200 && answer.text == "ok")
        #expect(answer.headers["X-Hop"] == nil, "a field the upstream's Connection names is its connection's own")

        let head = try RawUpstream(answer: "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nContent-Type: application/json\r\n\r\n")
        let front2 = try Self.front(try Upstream(url: "http://127.0.0.1:\(head.port)"))
        defer { front2.stop() }
        let client = try front2.client()
        try withExtendedLifetime(head) {
            try client.send("HEAD /acme/v1/items/1 HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse(headRequest: true)
            #expect(response.status == 200 && response.headers["Content-Length"] == "1234" && response.body.isEmpty)
        }
    }

    @Test func pipelinedRequestsAfterAProxiedOneAreAnsweredInOrder() throws {
        let upstream = try RawUpstream(answer: "HTTP/1.1 201 Created\r\nContent-Length: 8\r\n\r\nupstream")
        let front = try Self.front(try Upstream(url: "http://127.0.0.1:\(upstream.port)"))
        defer { front.stop() }
        let client = try front.client()
        try withExtendedLifetime(upstream) {
            try client.send("GET /acme/v1/elsewhere HTTP/1.1\r\nHost: x\r\n\r\nGET /acme/v1/health HTTP/1.1\r\nHost: x\r\n\r\nGET /acme/v1/again HTTP/1.1\r\nHost: x\r\n\r\n")
            let first = try client.readResponse(), second = try client.readResponse(), third = try client.readResponse()
            #expect(first.status == 201 && first.text == "upstream", "first: \(first.status) \(first.text)")
            #expect(second.status == 200 && second.text == "local", "second: \(second.status) \(second.text)")
            #expect(third.status == 201 && third.text == "upstream", "third: \(third.status) \(third.headers) \(third.text)")
        }
    }
}

/// A listening socket that answers each connection with fixed bytes once it has read a request
/// head (or never, when `answer` is nil), then closes it (with a reset when `reset`).
final class RawUpstream: @unchecked Sendable {
    let fd: Int32
    let port: UInt16

    /// `trickle`: microseconds between the answer's bytes, sent one at a time.
    init(answer: String?, reset: Bool = false, trickle: useconds_t = 0) throws {
        (fd, port) = try Self.listen()
        let fd = self.fd
        Thread.detach {
            while true {
                let client = accept(fd, nil, nil)
                // The thread closes the listener itself, once `deinit` has shut it down: closed
                // there, its number could be handed to another test's socket while this loop
                // still calls accept on it, and steal that test's connections (a silent
                // upstream that did so held a pipelined test's request until its timeout).
                if client < 0 {
                    close(fd)
                    return
                }
                var head: [UInt8] = []
                var byte: UInt8 = 0
                while !head.ends(with: Array("\r\n\r\n".utf8)), recv(client, &byte, 1, 0) == 1 { head.append(byte) }
                guard let answer else { continue }
                let bytes = Array(answer.utf8)
                if trickle > 0 {
                    for byte in bytes {
                        var byte = byte
                        if send(client, &byte, 1, Int32(MSG_NOSIGNAL)) != 1 { break }
                        usleep(trickle)
                    }
                } else {
                    _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                }
                if reset {
                    var option = linger(l_onoff: 1, l_linger: 0)
                    setsockopt(client, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
                }
                close(client)
            }
        }
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// A port nothing listens on (bound, then closed).
    static func closedPort() throws -> UInt16 {
        let (fd, port) = try listen()
        close(fd)
        return port
    }

    private static func listen() throws -> (Int32, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, Glibc.listen(fd, 16) == 0 else { throw SetupFailure() }
        return (fd, UInt16(bigEndian: address.sin_port))
    }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}

/// Each raw upstream's loop on a thread of its own: blocked in accept or recv for a whole
/// test, it must not wait for (or hold) a shared Dispatch worker.
private enum Thread {
    static func detach(_ body: @escaping @Sendable () -> Void) {
        precondition(DetachedThread.start(body), "no thread for a raw upstream")
    }
}
