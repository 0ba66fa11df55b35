import Testing
import FaultlineHTTP
import FaultlineScenarios
import FaultlineTesting

/// Sequences, per-client isolation, sticky scenarios, the journal and the admin API, on the wire.
@Suite struct StateOverSocketsTests {
    @Test func aSequenceFailsTwiceThenSucceedsForEachClientOnItsOwn() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        let target = "/trackbot/v1/shipments?scenario=500,500,default"
        func call(_ name: String) throws -> Int {
            try client.request("GET", target, headers: [("Authorization", "Bearer t"), ("X-Faultline-Client", name)]).status
        }
        // Two clients interleaved: each sees its own position.
        #expect(try call("a") == 500)
        #expect(try call("b") == 500)
        #expect(try call("a") == 500)
        #expect(try call("a") == 200)
        #expect(try call("b") == 500)
        #expect(try call("b") == 200)
        #expect(try call("a") == 200)
    }

    @Test func repetitionAndTheLastStepRepeatingForEver() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        let statuses = try (0..<5).map { _ in
            try client.request("GET", "/trackbot/v1/shipments?scenario=429*2,401", headers: [("Authorization", "Bearer seq")]).status
        }
        #expect(statuses == [429, 429, 401, 401, 401])
        let bad = try client.request("GET", "/trackbot/v1/shipments?scenario=429*0,401", headers: [("Authorization", "Bearer seq")])
        #expect(bad.status == 400)
        #expect(bad.headers["Faultline-Error"] == "invalid-sequence")
    }

    @Test func sequencesRunByTwoClientsAtOnceKeepTheirOwnCounts() async throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let port = server.port
        func run(_ name: String) throws -> [Int] {
            let client = try TestHTTPClient(port: port)
            return try (0..<20).map { _ in
                try client.request("GET", "/generic/api/v1/users?scenario=INTERNAL_SERVER_ERROR*10,default", headers: [("X-API-Key", name)]).status
            }
        }
        async let first = Task.detached { try run("client-1") }.value
        async let second = Task.detached { try run("client-2") }.value
        let expected = Array(repeating: 500, count: 10) + Array(repeating: 200, count: 10)
        #expect(try await first == expected)
        #expect(try await second == expected)
    }

    @Test func rateLimitsArePerClient() throws {
        let server = try TestServer.start(options: .init(rateLimitOverrides: [RateLimitOverride(vendor: "aftership", limit: 2, window: 60)]))
        defer { server.stop() }
        let client = try server.client()
        let one = [("aftership-api-key", "shared-key"), ("X-Faultline-Client", "test-1")]
        let two = [("aftership-api-key", "shared-key"), ("X-Faultline-Client", "test-2")]
        #expect(try (0..<3).map { _ in try client.request("GET", "/aftership/v4/couriers", headers: one).status } == [200, 200, 429])
        #expect(try client.request("GET", "/aftership/v4/couriers", headers: two).status == 200)
        // Resetting one client gives it its allowance back and leaves the other alone.
        let reset = try client.request("POST", "/__faultline/reset?client=test-1")
        #expect(reset.text == #"{"reset":"client","client":"test-1"}"#)
        #expect(try client.request("GET", "/aftership/v4/couriers", headers: one).status == 200)
        #expect(try client.request("GET", "/aftership/v4/couriers", headers: two).headers["X-RateLimit-Remaining"] == "0")
    }

    @Test func aStickyScenarioAnswersRequestsThatNameNoneUntilCleared() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        let set = try client.request("PUT", "/__faultline/scenario", body: #"{"scenario":"503","vendor":"aftership"}"#)
        #expect(set.status == 200)
        #expect(try client.request("GET", "/aftership/v4/couriers", headers: [("aftership-api-key", "k")]).status == 503)
        // Another vendor is untouched; an explicit scenario still wins.
        #expect(try client.request("GET", "/trackbot/v1/couriers", headers: [("Authorization", "Bearer k")]).status == 200)
        #expect(try client.request("GET", "/aftership/v4/couriers?scenario=429", headers: [("aftership-api-key", "k")]).status == 429)
        // Per client: more specific than the vendor-wide one.
        _ = try client.request("PUT", "/__faultline/scenario", body: #"{"scenario":"401","client":"me"}"#)
        #expect(try client.request("GET", "/aftership/v4/couriers", headers: [("aftership-api-key", "me")]).status == 401)
        _ = try client.request("POST", "/__faultline/reset")
        #expect(try client.request("GET", "/aftership/v4/couriers", headers: [("aftership-api-key", "me")]).status == 200)
    }

    @Test func theJournalListsFiltersAndForgetsRequests() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        _ = try client.request("POST", "/aftership/v4/trackings?scenario=4003", headers: [("X-Faultline-Client", "j1")], body: "{}")
        _ = try client.request("GET", "/trackbot/v1/shipments", headers: [("Authorization", "Bearer j2")])
        _ = try client.request("GET", "/nowhere", headers: [("X-Faultline-Client", "j1")])
        let mine = try client.request("GET", "/__faultline/requests?client=j1")
        #expect(mine.status == 200)
        #expect(mine.text.contains(#""client":"j1","method":"POST","path":"/aftership/v4/trackings","vendor":"aftership","endpoint":"createTracking","scenario":"4003","status":400}"#))
        #expect(mine.text.contains(#""path":"/nowhere","vendor":null,"endpoint":null,"scenario":"faultline:no-endpoint","status":404}"#))
        #expect(!mine.text.contains("trackbot"))
        let byPath = try client.request("GET", "/__faultline/requests?path=/trackbot&limit=5")
        #expect(byPath.text.contains(#""client":"j2""#) && byPath.text.contains(#""scenario":"401 (auth-invalid)""#) == false)
        #expect(byPath.text.contains(#""status":200"#))
        #expect(try client.request("DELETE", "/__faultline/requests").text == #"{"cleared":3}"#)
        #expect(try client.request("GET", "/__faultline/requests").text == #"{"capacity":1000,"seed":\#(server.engine.random.seed),"requests":[]}"#)
    }

    @Test func theJournalIsBounded() throws {
        let server = try TestServer.start(options: .init(journalSize: 3))
        defer { server.stop() }
        let client = try server.client()
        for code in ["401", "402", "404", "429", "500"] {
            _ = try client.request("GET", "/trackbot/v1/shipments?scenario=\(code)")
        }
        let listing = try client.request("GET", "/__faultline/requests").text
        #expect(listing.components(of: #""status":"#) == 3)
        #expect(listing.contains(#""status":404"#) && listing.contains(#""status":500"#) && !listing.contains(#""status":401"#))
    }

    @Test func theAdminAPIAnswersInItsOwnJSONAndCanBeProtected() throws {
        let server = try TestServer.start(options: .init(adminToken: "s3cret"))
        defer { server.stop() }
        let client = try server.client()
        let health = try client.request("GET", "/__faultline/health")
        #expect(health.status == 200)
        #expect(health.text == #"{"status":"ok","vendors":["aftership","flexforward","generic","price2b","trackbot"]}"#)
        let refused = try client.request("GET", "/__faultline/scenarios")
        #expect(refused.status == 401)
        #expect(refused.headers["Faultline-Error"] == "admin-unauthorized")
        let catalog = try client.request("GET", "/__faultline/scenarios", headers: [("Authorization", "Bearer s3cret")])
        #expect(catalog.status == 200)
        #expect(catalog.text.hasPrefix(#"{"vendors":[{"vendor":"aftership""#))
        let wrongMethod = try client.request("GET", "/__faultline/reset", headers: [("X-Faultline-Admin-Token", "s3cret")])
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["Allow"] == "POST")
        #expect(try client.request("GET", "/__faultline/nothing", headers: [("X-Faultline-Admin-Token", "s3cret")]).status == 404)
    }
}

extension String {
    func components(of needle: String) -> Int {
        split(separator: needle, omittingEmptySubsequences: false).count - 1
    }
}
