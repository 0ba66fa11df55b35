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

    struct WireValidation: CustomTestStringConvertible, Sendable {
        let vendor: String
        let method: String
        let target: String
        let headers: [(String, String)]
        let body: String?
        let status: Int
        let expected: String
        var testDescription: String { "\(vendor) \(method) \(target)" }
    }

    static let validations: [WireValidation] = [
        WireValidation(vendor: "trackbot", method: "GET", target: "/trackbot/v1/shipments?limit=101&page=0", headers: [("Authorization", "Bearer t")], body: nil, status: 400,
                       expected: #"{"error":{"status":400,"message":"Input parameters validation failed.","code":"validation_failed","errors":[{"field":"Limit","message":"'Limit' must be less than or equal to '100'."},{"field":"Page","message":"'Page' must be greater than or equal to '1'."}]}}"#),
        WireValidation(vendor: "flexforward", method: "POST", target: "/flexforward/labels", headers: [("Authorization", "Bearer t"), ("Content-Type", "application/json")],
                       body: #"{"idempotencyKey":"k","courier":"ups","service":{"shipperAccountId":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","productCode":"STD"},"shipment":{"shipTo":{"address":{"countryCode":"ZZ"}},"parcels":[{"weight":0}]}}"#, status: 400,
                       expected: #"{"error":"Validation failed","details":[{"field":"shipment.shipTo.address.countryCode","message":"must be a valid ISO 3166-1 alpha-2 country code"},{"field":"shipment.parcels[0].weight","message":"must be greater than 0"}]}"#),
        WireValidation(vendor: "price2b", method: "POST", target: "/price2b/api/v1/customs/calculate", headers: [("Authorization", "Bearer t"), ("Accept", "application/json")],
                       body: #"{"destination_country":"DEU","declared_value":10,"weight":0}"#, status: 422,
                       expected: #"{"success":false,"message":"The given data was invalid.","error_code":"VAL_001","errors":{"destination_country":["The destination country must be a valid 2-letter ISO code."],"weight":["The weight must be greater than 0."]}}"#),
        WireValidation(vendor: "aftership", method: "POST", target: "/aftership/v4/trackings", headers: [("aftership-api-key", "k")], body: #"{"tracking":{"slug":"ups"}}"#, status: 400,
                       expected: #"{"meta":{"code":4007,"type":"BadRequest","message":"tracking_number is required."},"data":{}}"#),
        WireValidation(vendor: "generic", method: "POST", target: "/generic/api/v1/users", headers: [("Authorization", "Bearer t")], body: "{}", status: 400,
                       expected: #"{"error":{"code":"INVALID_REQUEST","message":"Missing required 'user_id' parameter."}}"#),
    ]

    @Test(arguments: validations)
    func validationErrorsArriveInEachVendorsShape(_ validation: WireValidation) throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let response = try server.client().request(validation.method, validation.target, headers: validation.headers, body: validation.body)
        #expect(response.status == validation.status)
        #expect(response.text == validation.expected)
        #expect(response.headers["Faultline-Trigger"] == "validation")
        #expect(response.headers["Content-Length"] == String(response.body.count))
    }
}
