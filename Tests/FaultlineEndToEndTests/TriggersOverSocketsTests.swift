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
        // Frozen, the emulation's time does not pass on its own: only moving it refills the bucket.
        let frozen = try client.request("POST", "/__faultline/clock", body: #"{"freeze":true}"#)
        #expect(frozen.status == 200)
        let frozenAt = try #require(try frozen.json(at: ["epoch"]).numberValue)
        let burst = try (0..<4).map { _ in try client.request("GET", "/aftership/v4/couriers", headers: key) }
        #expect(burst.map(\.status) == [200, 200, 200, 429])
        #expect(burst.map { $0.headers["X-RateLimit-Remaining"] } == ["2", "1", "0", "0"])
        let refused = burst[3]
        #expect(refused.text == #"{"meta":{"code":429,"type":"TooManyRequests","message":"You have exceeded the API call rate limit. The default limit is 10 requests per second."},"data":{}}"#)
        let retryAfter = try #require(refused.headers["Retry-After"].flatMap { Int($0) })
        #expect(retryAfter == 1)
        // Another key has its own allowance.
        #expect(try client.request("GET", "/aftership/v4/couriers", headers: [("aftership-api-key", "other-key")]).status == 200)
        #expect(try client.request("GET", "/aftership/v4/couriers", headers: key).status == 429)
        let moved = try client.request("POST", "/__faultline/clock", body: #"{"advance":\#(retryAfter)}"#)
        #expect(moved.status == 200)
        let recovered = try client.request("GET", "/aftership/v4/couriers", headers: key)
        #expect(recovered.status == 200)
        // Frozen and moved by exactly Retry-After; X-RateLimit-Reset moves with it.
        #expect(try moved.json(at: ["epoch"]).numberValue == frozenAt + Double(retryAfter))
        #expect(try moved.json(at: ["frozen"]) == .bool(true))
        let refusedReset = try #require(refused.headers["X-RateLimit-Reset"].flatMap { Int($0) })
        #expect(try #require(recovered.headers["X-RateLimit-Reset"].flatMap { Int($0) }) >= refusedReset)
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

    static let validations: [WireTrigger] = [
        WireTrigger(trigger: "validation", method: "GET", target: "/trackbot/v1/shipments?limit=101&page=0", headers: [("Authorization", "Bearer t")], body: nil, status: 400,
                    expected: #"{"error":{"status":400,"message":"Input parameters validation failed.","code":"validation_failed","errors":[{"field":"Limit","message":"'Limit' must be less than or equal to '100'."},{"field":"Page","message":"'Page' must be greater than or equal to '1'."}]}}"#),
        WireTrigger(trigger: "validation", method: "POST", target: "/flexforward/labels", headers: [("Authorization", "Bearer t"), ("Content-Type", "application/json")],
                    body: #"{"idempotencyKey":"k","courier":"ups","service":{"shipperAccountId":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","productCode":"STD"},"shipment":{"shipTo":{"address":{"countryCode":"ZZ"}},"parcels":[{"weight":0}]}}"#, status: 400,
                    expected: #"{"error":"Validation failed","details":[{"field":"shipment.shipTo.address.countryCode","message":"must be a valid ISO 3166-1 alpha-2 country code"},{"field":"shipment.parcels[0].weight","message":"must be greater than 0"}]}"#),
        WireTrigger(trigger: "validation", method: "POST", target: "/price2b/api/v1/customs/calculate", headers: [("Authorization", "Bearer t"), ("Accept", "application/json")],
                    body: #"{"destination_country":"DEU","declared_value":10,"weight":0}"#, status: 422,
                    expected: #"{"success":false,"message":"The given data was invalid.","error_code":"VAL_001","errors":{"destination_country":["The destination country must be a valid 2-letter ISO code."],"weight":["The weight must be greater than 0."]}}"#),
        WireTrigger(trigger: "validation", method: "POST", target: "/aftership/v4/trackings", headers: [("aftership-api-key", "k")], body: #"{"tracking":{"slug":"ups"}}"#, status: 400,
                    expected: #"{"meta":{"code":4007,"type":"BadRequest","message":"tracking_number is required."},"data":{}}"#),
        WireTrigger(trigger: "validation", method: "POST", target: "/generic/api/v1/users", headers: [("Authorization", "Bearer t")], body: "{}", status: 400,
                    expected: #"{"error":{"code":"INVALID_REQUEST","message":"Missing required 'user_id' parameter."}}"#),
    ]

    @Test(arguments: validations)
    func validationErrorsArriveInEachVendorsShape(_ validation: WireTrigger) throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let response = try server.client().request(validation.method, validation.target, headers: validation.headers, body: validation.body)
        #expect(response.status == validation.status)
        #expect(response.text == validation.expected)
        #expect(response.headers["Faultline-Trigger"] == "validation")
        #expect(response.headers["Content-Length"] == String(response.body.count))
    }

    struct WireTrigger: CustomTestStringConvertible, Sendable {
        let trigger: String
        let method: String
        let target: String
        let headers: [(String, String)]
        let body: String?
        let status: Int
        let expected: String
        var testDescription: String { "\(trigger): \(method) \(target)" }
    }

    static let triggers: [WireTrigger] = [
        // Missing credentials.
        WireTrigger(trigger: "auth-missing", method: "GET", target: "/aftership/v4/trackings", headers: [], body: nil, status: 401, expected: #"{"meta":{"code":401,"type":"Unauthorized","message":"Invalid API key."},"data":{}}"#),
        WireTrigger(trigger: "auth-missing", method: "GET", target: "/trackbot/v1/shipments", headers: [], body: nil, status: 401, expected: #"{"error":{"status":401,"message":"The API token in the request is missing or is invalid."}}"#),
        WireTrigger(trigger: "auth-missing", method: "GET", target: "/flexforward/tracking/a1b2c3d4-e5f6-7890-abcd-ef1234567890", headers: [], body: nil, status: 401, expected: #"{"error":"Unauthorized"}"#),
        WireTrigger(trigger: "auth-missing", method: "GET", target: "/generic/api/v1/users", headers: [], body: nil, status: 401, expected: #"{"error":{"code":"UNAUTHENTICATED","message":"Authentication credentials not provided or invalid."}}"#),
        WireTrigger(trigger: "auth-missing", method: "GET", target: "/price2b/api/v1/orders", headers: [("Accept", "application/json")], body: nil, status: 401, expected: #"{"success":false,"message":"Unauthenticated.","error_code":"AUTH_001"}"#),
        // Permissions.
        WireTrigger(trigger: "auth-read-only", method: "DELETE", target: "/aftership/v4/trackings/ups/1Z999", headers: [("aftership-api-key", "read-only-key")], body: nil, status: 403, expected: #"{"meta":{"code":403,"type":"Forbidden","message":"The request is understood, but it has been refused or access is not allowed."},"data":{}}"#),
        WireTrigger(trigger: "auth-no-plan", method: "GET", target: "/trackbot/v1/couriers", headers: [("Authorization", "Bearer no-plan-token")], body: nil, status: 402, expected: #"{"error":{"status":402,"message":"No active plan for the account or plan doesn't allow API/endpoint usage."}}"#),
        WireTrigger(trigger: "auth-read-only", method: "PUT", target: "/generic/api/v1/users/7", headers: [("X-API-Key", "read-only-key")], body: "{}", status: 403, expected: #"{"error":{"code":"PERMISSION_DENIED","message":"You do not have permission to perform this action."}}"#),
        WireTrigger(trigger: "auth-missing-scope", method: "POST", target: "/price2b/api/v1/orders/1/ship", headers: [("Authorization", "Bearer shipping-read-token"), ("Accept", "application/json")], body: "{}", status: 403, expected: #"{"success":false,"message":"This action requires the 'orders:write' scope.","error_code":"AUTH_003"}"#),
        // Malformed JSON.
        WireTrigger(trigger: "malformed-json", method: "POST", target: "/aftership/v4/trackings", headers: [("aftership-api-key", "k")], body: "{", status: 400, expected: #"{"meta":{"code":4001,"type":"BadRequest","message":"Invalid JSON data."},"data":{}}"#),
        WireTrigger(trigger: "malformed-json", method: "POST", target: "/trackbot/v1/shipments", headers: [("Authorization", "Bearer t")], body: "{", status: 400, expected: #"{"error":{"status":400,"message":"The request is invalid."}}"#),
        WireTrigger(trigger: "malformed-json", method: "POST", target: "/flexforward/labels", headers: [("Authorization", "Bearer t"), ("Content-Type", "application/json")], body: "{", status: 400, expected: #"{"error":"Validation failed","details":[{"field":"body","message":"must be valid JSON"}]}"#),
        WireTrigger(trigger: "malformed-json", method: "POST", target: "/generic/api/v1/users", headers: [("X-API-Key", "k")], body: "{", status: 400, expected: #"{"error":{"code":"INVALID_REQUEST","message":"The request body is not valid JSON."}}"#),
        WireTrigger(trigger: "malformed-json", method: "POST", target: "/price2b/api/v1/customs/calculate", headers: [("Authorization", "Bearer t"), ("Accept", "application/json")], body: "{", status: 400, expected: #"{"success":false,"message":"Malformed request syntax.","error_code":"BAD_REQUEST"}"#),
        WireTrigger(trigger: "content-type", method: "POST", target: "/flexforward/labels", headers: [("Authorization", "Bearer t")], body: "{}", status: 400, expected: #"{"error":"Validation failed","details":[{"field":"idempotencyKey","message":"is required"},{"field":"courier","message":"is required"},{"field":"service","message":"is required"},{"field":"shipment","message":"is required"}]}"#),
        // Unknown paths and wrong methods.
        WireTrigger(trigger: "unknown-path", method: "GET", target: "/aftership/v4/parcels", headers: [("aftership-api-key", "k")], body: nil, status: 404, expected: #"{"meta":{"code":404,"type":"NotFound","message":"The URI requested is invalid or the resource requested does not exist."},"data":{}}"#),
        WireTrigger(trigger: "unknown-path", method: "GET", target: "/trackbot/v1/parcels", headers: [], body: nil, status: 404, expected: #"{"error":{"status":404,"message":"The requested resource does not exist."}}"#),
        WireTrigger(trigger: "unknown-path", method: "GET", target: "/flexforward/parcels", headers: [], body: nil, status: 404, expected: #"{"error":"Not Found"}"#),
        WireTrigger(trigger: "unknown-path", method: "GET", target: "/generic/api/v1/parcels", headers: [], body: nil, status: 404, expected: #"{"error":{"code":"RESOURCE_NOT_FOUND","message":"The requested resource could not be found."}}"#),
        WireTrigger(trigger: "unknown-path", method: "GET", target: "/price2b/api/v1/parcels", headers: [], body: nil, status: 404, expected: #"{"success":false,"message":"The requested resource was not found.","error_code":"NOT_FOUND"}"#),
        WireTrigger(trigger: "wrong-method", method: "PATCH", target: "/aftership/v4/couriers", headers: [], body: nil, status: 405, expected: #"{"meta":{"code":405,"type":"MethodNotAllowed","message":"The method is not allowed for the requested URI."},"data":{}}"#),
        WireTrigger(trigger: "wrong-method", method: "PATCH", target: "/trackbot/v1/couriers", headers: [], body: nil, status: 405, expected: #"{"error":{"status":405,"message":"The requested method is not allowed for this resource."}}"#),
        WireTrigger(trigger: "wrong-method", method: "PATCH", target: "/flexforward/labels", headers: [], body: nil, status: 405, expected: #"{"error":"Method Not Allowed"}"#),
        WireTrigger(trigger: "wrong-method", method: "PATCH", target: "/generic/api/v1/users", headers: [], body: nil, status: 405, expected: #"{"error":{"code":"METHOD_NOT_ALLOWED","message":"The PATCH method is not allowed for this resource."}}"#),
        WireTrigger(trigger: "wrong-method", method: "PATCH", target: "/price2b/api/v1/orders", headers: [], body: nil, status: 405, expected: #"{"success":false,"message":"The PATCH method is not supported for this route.","error_code":"METHOD_NOT_ALLOWED"}"#),
    ]

    @Test(arguments: triggers)
    func eachVendorsTriggersAnswerOnTheWire(_ trigger: WireTrigger) throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let response = try server.client().request(trigger.method, trigger.target, headers: trigger.headers, body: trigger.body)
        #expect(response.status == trigger.status)
        #expect(response.text == trigger.expected)
        #expect(response.headers["Faultline-Trigger"] == trigger.trigger)
        if trigger.trigger == "wrong-method" { #expect(response.headers["Allow"] != nil) }
    }
}
