import Testing
import FaultlineHTTP
import FaultlineScenarios
import FaultlineTesting
#if canImport(Glibc)
import Glibc
#endif

/// The vendors' own checks, over real sockets.
@Suite struct TriggersOverSocketsTests {
    @Test func aBurstOverTheLimitGetsExactlyOne429AndWaitingRetryAfterSucceeds() throws {
        let server = try TestServer.start(options: .init(rateLimitOverrides: [RateLimitOverride(vendor: "aftership", limit: 3, window: 1)]))
        defer { server.stop() }
        let client = try server.client()
        let key = [("aftership-api-key", "burst-key")]
        let burst = try (0..<4).map { _ in try client.request("GET", "/aftership/v4/couriers", headers: key) }
        #expect(burst.map(\.status) == [200, 200, 200, 429])
        #expect(burst.map { $0.headers["X-RateLimit-Remaining"] } == ["2", "1", "0", "0"])
        let refused = burst[3]
        #expect(refused.text == #"{"meta":{"code":429,"type":"TooManyRequests","message":"You have exceeded the API call rate limit. The default limit is 10 requests per second."},"data":{}}"#)
        let retryAfter = try #require(refused.headers["Retry-After"].flatMap { Int($0) })
        #expect(retryAfter == 1)
        // Another key has its own allowance.
        #expect(try client.request("GET", "/aftership/v4/couriers", headers: [("aftership-api-key", "other-key")]).status == 200)
        usleep(UInt32(retryAfter) * 1_000_000)
        let recovered = try client.request("GET", "/aftership/v4/couriers", headers: key)
        #expect(recovered.status == 200)
    }

    @Test func authenticationAndShapeChecksAnswerOnTheWire() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        let missing = try client.request("POST", "/flexforward/labels", headers: [("Content-Type", "application/json")], body: "{}")
        #expect(missing.status == 401)
        #expect(missing.text == #"{"error":"Unauthorized"}"#)
        #expect(missing.headers["Faultline-Trigger"] == "auth-missing")
        let wrongMethod = try client.request("PUT", "/flexforward/labels", headers: [("Authorization", "Bearer t")])
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["Allow"] == "POST")
        let label = #"{"idempotencyKey":"k","courier":"ups","service":{"shipperAccountId":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","productCode":"STD"},"shipment":{"shipTo":{"address":{"countryCode":"GB"}},"parcels":[{"weight":1}]}}"#
        let created = try client.request("POST", "/flexforward/labels", headers: [("Authorization", "Bearer t"), ("Content-Type", "application/json")], body: label)
        #expect(created.status == 201)
        #expect(created.text.contains(#""status":"created","courier":"ups""#))
        let redirect = try client.request("GET", "/price2b/api/v1/orders", headers: [("Accept", "text/html")])
        #expect(redirect.status == 302)
        #expect(redirect.headers["Location"] == "https://app.price2b.com/login")
    }
}
