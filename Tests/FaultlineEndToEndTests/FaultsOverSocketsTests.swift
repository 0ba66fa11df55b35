#if canImport(Glibc)
import Glibc
#endif
import Testing
import FaultlineHTTP
import FaultlineScenarios
import FaultlineTesting

/// Network faults, delays and gateway pages as the client sees them on the socket.
@Suite struct FaultsOverSocketsTests {
    static let couriers = "/trackbot/v1/couriers"
    static let auth = "Authorization: Bearer faults\r\n"

    func raw(_ client: TestHTTPClient, _ target: String) throws {
        try client.send("GET \(target) HTTP/1.1\r\nHost: h\r\n\(Self.auth)\r\n")
    }

    @Test func resetSendsARSTAndNoBytes() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        try raw(client, Self.couriers + "?scenario=reset")
        let (bytes, ending) = client.readUntilEnd()
        #expect(bytes.isEmpty)
        #expect(ending == .reset)
    }

    @Test func closeEndsTheConnectionWithoutAResponse() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        try raw(client, Self.couriers + "?scenario=close")
        let (bytes, ending) = client.readUntilEnd()
        #expect(bytes.isEmpty)
        #expect(ending == .closed)
    }

    @Test func closeMidBodyPromisesMoreThanItSends() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let whole = try server.client().request("GET", Self.couriers, headers: [("Authorization", "Bearer faults")])
        let client = try server.client()
        try raw(client, Self.couriers + "?scenario=close_mid_body")
        let (bytes, ending) = client.readUntilEnd()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(ending == .closed)
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(text.contains("Content-Length: \(whole.body.count)\r\n"))
        let body = text.split(separator: "\r\n\r\n", maxSplits: 1).last.map { Array($0.utf8) } ?? []
        #expect(body.count == whole.body.count / 2)
        #expect(body == Array(whole.body.prefix(body.count)))
    }

    @Test func malformedChunkedHasAChunkSizeThatIsNotHex() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        try raw(client, Self.couriers + "?scenario=malformed_chunked")
        let (bytes, ending) = client.readUntilEnd()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(ending == .closed)
        #expect(text.contains("Transfer-Encoding: chunked\r\n\r\nzz\r\n"))
        #expect(!text.contains("Content-Length"))
    }

    @Test func garbageIsNotHTTP() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        try raw(client, Self.couriers + "?scenario=garbage")
        let (bytes, ending) = client.readUntilEnd()
        #expect(ending == .closed)
        #expect(bytes.count == 256)
        #expect(!bytes.starts(with: Array("HTTP/".utf8)))
    }

    @Test func hangHoldsTheConnectionUntilTheServersLimit() throws {
        let server = try TestServer.start { $0.maxHold = 0.5 }
        defer { server.stop() }
        let client = try server.client(timeout: 5)
        let started = Clock.now()
        try raw(client, Self.couriers + "?scenario=hang")
        let (bytes, ending) = client.readUntilEnd()
        let waited = Clock.now() - started
        #expect(bytes.isEmpty && ending == .closed)
        #expect(waited > 0.4 && waited < 3, "waited \(waited) s")
        // The server still answers others.
        #expect(try server.client().request("GET", Self.couriers, headers: [("Authorization", "Bearer faults")]).status == 200)
    }

    @Test func aDelayedAnswerKeepsPipelinedOrder() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        let started = Clock.now()
        try client.send("GET \(Self.couriers)?scenario=402&delay=400 HTTP/1.1\r\nHost: h\r\n\(Self.auth)\r\nGET \(Self.couriers)?scenario=404 HTTP/1.1\r\nHost: h\r\n\(Self.auth)\r\n")
        let first = try client.readResponse()
        let waited = Clock.now() - started
        let second = try client.readResponse()
        #expect(first.status == 402 && second.status == 404)
        #expect(waited > 0.38 && waited < 2.5, "waited \(waited) s")
        // The connection is kept alive afterwards.
        #expect(try client.request("GET", Self.couriers, headers: [("Authorization", "Bearer faults")]).status == 200)
    }

    @Test func aDelayRangeStaysWithinItsBounds() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        for _ in 0..<3 {
            let started = Clock.now()
            #expect(try client.request("GET", Self.couriers + "?delay=100-250", headers: [("Authorization", "Bearer faults")]).status == 200)
            let waited = Clock.now() - started
            #expect(waited > 0.095 && waited < 1.5, "waited \(waited) s")
        }
    }

    @Test func aSlowBodyArrivesWholeButSlowly() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        let fast = try client.request("GET", Self.couriers, headers: [("Authorization", "Bearer faults")])
        let started = Clock.now()
        let slow = try client.request("GET", Self.couriers + "?dribble=40:100", headers: [("Authorization", "Bearer faults")])
        let waited = Clock.now() - started
        #expect(slow.body == fast.body)
        // ceil(bytes / 40) pieces, 100 ms apart after the first.
        let pieces = (fast.body.count + 39) / 40
        #expect(waited > Double(pieces - 1) * 0.1 * 0.9, "waited \(waited) s for \(pieces) pieces")
    }

    @Test(arguments: [("gateway_502", 502, "502 Bad Gateway"), ("gateway_503", 503, "503 Service Temporarily Unavailable"), ("gateway_504", 504, "504 Gateway Time-out")])
    func gatewayPagesAreHTMLOnEveryVendor(name: String, status: Int, title: String) throws {
        let server = try TestServer.start()
        defer { server.stop() }
        for target in ["/aftership/v4/trackings?scenario=\(name)", "/price2b/api/v1/orders?scenario=\(name)", "/flexforward/tracking/a1b2c3d4-e5f6-7890-abcd-ef1234567890?scenario=\(name)"] {
            let response = try server.client().request("GET", target)
            #expect(response.status == status)
            #expect(response.headers["Content-Type"] == "text/html")
            #expect(response.text == "<html>\r\n<head><title>\(title)</title></head>\r\n<body>\r\n<center><h1>\(title)</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
            #expect(response.headers["Retry-After"] == (status == 503 ? "30" : nil))
        }
    }

    @Test func theSameSeedReplaysTheSameChaos() throws {
        func run(seed: UInt64) throws -> [Int] {
            var options = ScenarioEngine.Options()
            options.chaos = ChaosRule.parse("trackbot:500@0.3,429@0.2")!
            options.seed = seed
            let server = try TestServer.start(options: options)
            defer { server.stop() }
            let client = try server.client()
            let statuses = try (0..<40).map { _ in try client.request("GET", Self.couriers, headers: [("Authorization", "Bearer chaos")]).status }
            let journal = try client.request("GET", "/__faultline/requests?limit=1")
            #expect(journal.text.contains(#""seed":\#(seed)"#))
            return statuses
        }
        let first = try run(seed: 42)
        #expect(try run(seed: 42) == first)
        #expect(Set(first) == [200, 429, 500])
        #expect(try run(seed: 43) != first)
    }

    @Test func chaosNeverOverridesAnExplicitScenarioAndIsMarked() throws {
        var options = ScenarioEngine.Options()
        options.chaos = ChaosRule.parse("trackbot:500@1")!
        let server = try TestServer.start(options: options)
        defer { server.stop() }
        let client = try server.client()
        #expect(try client.request("GET", Self.couriers + "?scenario=402", headers: [("Authorization", "Bearer chaos")]).status == 402)
        let injected = try client.request("GET", Self.couriers, headers: [("Authorization", "Bearer chaos")])
        #expect(injected.status == 500)
        #expect(injected.headers["Faultline-Chaos"] == "500")
        // Other vendors are untouched by a vendor's rules.
        #expect(try client.request("GET", "/aftership/v4/couriers", headers: [("aftership-api-key", "k")]).status == 200)
    }
}
