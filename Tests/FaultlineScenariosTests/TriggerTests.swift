import Testing
import FaultlineHTTP
import FaultlineScenarios

/// Requests judged as the real API would judge them, without `?scenario=`.
@Suite struct TriggerTests: BundledEngineSuite {
    let engine: ScenarioEngine

    init() throws {
        engine = try Self.loadBundledEngine()
    }

    // MARK: Authentication

    @Test func afterShipWantsItsKeyInTheHeaderOfItsAPIGeneration() {
        let missing = send("GET", "/aftership/v4/trackings")
        #expect(missing.status == 401)
        #expect(missing.body == #"{"meta":{"code":401,"type":"Unauthorized","message":"Invalid API key."},"data":{}}"#)
        #expect(missing.headers["Faultline-Trigger"] == "auth-missing")
        #expect(send("GET", "/aftership/v4/trackings", ["as-api-key": "k"]).status == 401)
        #expect(send("GET", "/aftership/v4/trackings", ["aftership-api-key": "k"]).status == 200)
        #expect(send("GET", "/aftership/tracking/2026-07/trackings", ["as-api-key": "k"]).status == 200)
        #expect(send("GET", "/aftership/tracking/2026-07/trackings", ["aftership-api-key": "k"]).status == 401)
    }

    @Test func validKeysCanComeFromTheEnvironment() throws {
        let strict = try ScenarioEngine(catalog: engine.catalog, environment: { $0 == "FAULTLINE_AFTERSHIP_KEYS" ? "good-1, good-2" : nil })
        let wrong = send("GET", "/aftership/v4/trackings", ["aftership-api-key": "guess"], to: strict)
        #expect(wrong.status == 401)
        #expect(wrong.headers["Faultline-Trigger"] == "auth-invalid")
        #expect(send("GET", "/aftership/v4/trackings", ["aftership-api-key": "good-2"], to: strict).status == 200)
    }

    @Test func aPublicEndpointIsAnsweredWithoutAKey() throws {
        let file = #"""
        {"vendor": "acme", "basePaths": ["/v1"],
         "triggers": {"auth": {"credentials": [{"header": "X-Api-Key"}], "missing": "401", "invalid": "401"}},
         "endpoints": [
          {"id": "health", "method": "GET", "path": "/health", "public": true, "response": {"status": 200, "text": "ok"}},
          {"id": "items", "method": "GET", "path": "/items", "response": {"status": 200, "body": []}}],
         "errors": {"401": {"status": 401, "body": {"error": "unauthorized"}}}}
        """#
        let vendor = try ScenarioLoader.parse(Array(file.utf8), file: "acme.json").get()
        let engine = try ScenarioEngine(catalog: ScenarioCatalog(vendors: [vendor]))
        #expect(send("GET", "/acme/v1/health", to: engine).body == "ok")
        #expect(send("GET", "/acme/v1/items", to: engine).status == 401)
        #expect(send("GET", "/acme/v1/items", ["X-Api-Key": "k"], to: engine).status == 200)
        let wrong = file.split(separator: #""public": true"#).joined(separator: #""public": "yes""#)
        guard case .failure(let refused) = ScenarioLoader.parse(Array(wrong.utf8), file: "acme.json") else {
            Issue.record("a non-boolean public was accepted")
            return
        }
        #expect(refused.diagnostics.map { "\($0)" }.contains { $0.contains("$.endpoints[0].public: expected true or false") })
    }

    @Test func anExplicitScenarioWinsOverEveryCheck() {
        let response = send("POST", "/aftership/v4/trackings?scenario=4003", body: "not json")
        #expect(response.status == 400)
        #expect(response.body.contains(#""code":4003"#))
        #expect(response.headers["Faultline-Trigger"] == nil)
    }

    @Test func aReadOnlyKeyMayReadButNotWrite() {
        #expect(send("GET", "/aftership/v4/trackings", ["aftership-api-key": "read-only-key"]).status == 200)
        let write = send("POST", "/aftership/v4/trackings", ["aftership-api-key": "read-only-key"], body: "{}")
        #expect(write.status == 403)
        #expect(write.body.contains(#""type":"Forbidden""#))
        let generic = send("DELETE", "/generic/api/v1/users/7", ["X-API-Key": "read-only-key"])
        #expect(generic.status == 403)
        #expect(generic.body == #"{"error":{"code":"PERMISSION_DENIED","message":"You do not have permission to perform this action."}}"#)
    }

    @Test func bearerTokensAreRequiredWhereTheVendorUsesThem() {
        #expect(send("GET", "/trackbot/v1/shipments").body == #"{"error":{"status":401,"message":"The API token in the request is missing or is invalid."}}"#)
        #expect(send("GET", "/trackbot/v1/shipments", ["Authorization": "Bearer t0k"]).status == 200)
        let basic = send("GET", "/flexforward/labels/a1b2c3d4-e5f6-7890-abcd-ef1234567890", ["Authorization": "Basic dXNlcg=="])
        #expect(basic.status == 401)
        #expect(basic.body == #"{"error":"Unauthorized"}"#)
        #expect(send("GET", "/generic/api/v1/users").body == #"{"error":{"code":"UNAUTHENTICATED","message":"Authentication credentials not provided or invalid."}}"#)
    }

    @Test func trackBotAnswersAKeyWithoutAPlanWith402() {
        let response = send("GET", "/trackbot/v1/shipments", ["Authorization": "Bearer no-plan-token"])
        #expect(response.status == 402)
        #expect(response.headers["Faultline-Trigger"] == "auth-no-plan")
    }

    @Test func price2bNamesTheScopeATokenLacks() {
        let json: HTTPHeaders = ["Accept": "application/json", "Content-Type": "application/json"]
        var limited = json
        limited.add(name: "Authorization", value: "Bearer shipping-read-token")
        let response = send("POST", "/price2b/api/v1/shipping/quotes", limited, body: "{}")
        #expect(response.status == 403)
        #expect(response.body == #"{"success":false,"message":"This action requires the 'shipping:write' scope.","error_code":"AUTH_003"}"#)
        let customs = send("POST", "/price2b/api/v1/inventory/products", limited, body: "{}")
        #expect(customs.body.contains("'inventory:write'"))
        #expect(send("GET", "/price2b/api/v1/orders", limited).status == 200)
        var readOnly = json
        readOnly.add(name: "Authorization", value: "Bearer read-only-token")
        #expect(send("POST", "/price2b/api/v1/shipping/quotes", readOnly, body: "{}").body.contains("AUTH_002"))
    }

    @Test func price2bRedirectsClientsThatDoNotAcceptJSONToItsLoginPage() {
        let unauthenticated = send("GET", "/price2b/api/v1/orders", ["Accept": "application/json"])
        #expect(unauthenticated.body == #"{"success":false,"message":"Unauthenticated.","error_code":"AUTH_001"}"#)
        let browserLike = send("GET", "/price2b/api/v1/orders", ["Accept": "text/html"])
        #expect(browserLike.status == 302)
        #expect(browserLike.headers["Location"] == "https://app.price2b.com/login")
        #expect(browserLike.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(browserLike.body.contains("Redirecting to"))
        // Laravel's wantsJson() looks at the first acceptable type only: curl's */* is not JSON.
        #expect(send("GET", "/price2b/api/v1/orders", ["Accept": "*/*"]).status == 302)
        #expect(send("GET", "/price2b/api/v1/orders").status == 302)
        #expect(send("GET", "/price2b/api/v1/orders", ["Accept": "application/json;q=0, text/html"]).status == 302)
        #expect(send("GET", "/price2b/api/v1/orders", ["Accept": "application/json, text/plain, */*"]).status == 401)
    }

    // MARK: Request shape

    @Test func malformedJSONGetsEachVendorsAnswer() {
        let afterShip = send("POST", "/aftership/v4/trackings", ["aftership-api-key": "k"], body: "{\"tracking\":")
        #expect(afterShip.body == #"{"meta":{"code":4001,"type":"BadRequest","message":"Invalid JSON data."},"data":{}}"#)
        #expect(afterShip.headers["Faultline-Trigger"] == "malformed-json")
        #expect(send("POST", "/trackbot/v1/shipments", ["Authorization": "Bearer t"], body: "{,}").body == #"{"error":{"status":400,"message":"The request is invalid."}}"#)
        #expect(send("POST", "/generic/api/v1/users", ["X-API-Key": "k"], body: "[1,").body == #"{"error":{"code":"INVALID_REQUEST","message":"The request body is not valid JSON."}}"#)
        #expect(send("POST", "/price2b/api/v1/customs/calculate", ["Authorization": "Bearer t", "Accept": "application/json"], body: "nope").body == #"{"success":false,"message":"Malformed request syntax.","error_code":"BAD_REQUEST"}"#)
        let flex = send("POST", "/flexforward/labels", ["Authorization": "Bearer t", "Content-Type": "application/json"], body: "{")
        #expect(flex.status == 400)
        #expect(flex.body == #"{"error":"Validation failed","details":[{"field":"body","message":"must be valid JSON"}]}"#)
    }

    @Test func flexForwardRejectsAPostWithoutAJSONContentType() {
        let response = send("POST", "/flexforward/labels", ["Authorization": "Bearer t", "Content-Type": "text/plain"], body: "{}")
        #expect(response.status == 400)
        #expect(response.headers["Faultline-Trigger"] == "content-type")
        #expect(response.body.hasPrefix(#"{"error":"Validation failed","details":[{"field":"idempotencyKey","message":"is required"}"#))
        let withCharset = send("POST", "/flexforward/labels", ["Authorization": "Bearer t", "Content-Type": "application/json; charset=utf-8"], body: ValidBodies.label(courier: "dhl"))
        #expect(withCharset.status == 201)
        #expect(withCharset.body.contains(#""courier":"dhl""#))
    }

    @Test func unknownPathsAndWrongMethodsGetTheVendorsOwn404And405() {
        let flexUnknown = send("GET", "/flexforward/parcels", ["Authorization": "Bearer t"])
        #expect(flexUnknown.status == 404)
        #expect(flexUnknown.body == #"{"error":"Not Found"}"#)
        #expect(flexUnknown.headers["Faultline-Trigger"] == "unknown-path")
        let flexWrong = send("DELETE", "/flexforward/labels", ["Authorization": "Bearer t"])
        #expect(flexWrong.status == 405)
        #expect(flexWrong.body == #"{"error":"Method Not Allowed"}"#)
        #expect(flexWrong.headers["Allow"] == "POST")
        let afterShip = send("GET", "/aftership/v4/nothing-here")
        #expect(afterShip.body == #"{"meta":{"code":404,"type":"NotFound","message":"The URI requested is invalid or the resource requested does not exist."},"data":{}}"#)
        let trackBot = send("PUT", "/trackbot/v1/shipments/Ye7KwZ3")
        #expect(trackBot.status == 405)
        #expect(trackBot.headers["Allow"] == "GET, DELETE, HEAD")
        #expect(send("PATCH", "/generic/api/v1/users/5").body == #"{"error":{"code":"METHOD_NOT_ALLOWED","message":"The PATCH method is not allowed for this resource."}}"#)
    }

    // MARK: Rate limits

    @Test func afterShipSendsTheLimitersStateOnEveryResponse() throws {
        let limited = try ScenarioEngine(catalog: engine.catalog, options: .init(rateLimitOverrides: [RateLimitOverride(vendor: "aftership", limit: 3, window: 60)]), environment: { _ in nil })
        let key: HTTPHeaders = ["aftership-api-key": "counted"]
        let statuses = (0..<4).map { _ in send("GET", "/aftership/v4/couriers", key, to: limited) }
        #expect(statuses.map(\.status) == [200, 200, 200, 429])
        #expect(statuses.map { $0.headers["X-RateLimit-Remaining"] } == ["2", "1", "0", "0"])
        #expect(statuses.allSatisfy { $0.headers["X-RateLimit-Limit"] == "3" })
        let resets = statuses.compactMap { $0.headers["X-RateLimit-Reset"].flatMap { Int($0) } }
        #expect(resets.count == 4 && resets.allSatisfy { String($0).count == 10 })
        #expect(statuses[3].headers["Retry-After"] == "20")
        #expect(statuses[3].headers["Faultline-Trigger"] == "rate-limit")
        // A named scenario does not use the allowance but reports it; an unknown path too.
        #expect(send("GET", "/aftership/v4/couriers?scenario=500", ["aftership-api-key": "fresh"], to: limited).headers["X-RateLimit-Remaining"] == "3")
        #expect(send("GET", "/aftership/v4/missing", key, to: limited).headers["X-RateLimit-Remaining"] == "0")
    }

    @Test func price2bLimitsQuotesSeparatelyAndPutsTheWaitInTheBody() throws {
        let limited = try ScenarioEngine(catalog: engine.catalog, options: .init(rateLimitOverrides: [RateLimitOverride(vendor: "price2b", group: "quotes", limit: 2, window: 60)]), environment: { _ in nil })
        let headers: HTTPHeaders = ["Authorization": "Bearer p2b", "Accept": "application/json"]
        #expect(send("POST", "/price2b/api/v1/shipping/quotes", headers, body: ValidBodies.quote, to: limited).status == 201)
        #expect(send("POST", "/price2b/api/v1/shipping/quotes", headers, body: ValidBodies.quote, to: limited).status == 201)
        let refused = send("POST", "/price2b/api/v1/shipping/quotes", headers, body: ValidBodies.quote, to: limited)
        #expect(refused.status == 429)
        #expect(refused.body == #"{"success":false,"message":"Too many requests. Please retry after 30 seconds.","error_code":"RATE_001","retry_after":30}"#)
        #expect(refused.headers["Retry-After"] == "30")
        #expect(refused.headers["X-RateLimit-Remaining"] == "0")
        // The standard group is untouched.
        let orders = send("GET", "/price2b/api/v1/orders", headers, to: limited)
        #expect(orders.status == 200)
        #expect(orders.headers["X-RateLimit-Limit"] == "60")
        #expect(orders.headers["X-RateLimit-Remaining"] == "59")
    }

    @Test func anUnknownOverrideIsAConfigurationError() {
        #expect(throws: ScenarioEngine.ConfigurationError.self) {
            try ScenarioEngine(catalog: engine.catalog, options: .init(rateLimitOverrides: [RateLimitOverride(vendor: "flexforward", limit: 1, window: 1)]))
        }
        #expect(throws: ScenarioEngine.ConfigurationError.self) {
            try ScenarioEngine(catalog: engine.catalog, options: .init(rateLimitOverrides: [RateLimitOverride(vendor: "price2b", group: "nope", limit: 1, window: 1)]))
        }
    }
}

/// Request bodies that pass the bundled files' validation rules.
enum ValidBodies {
    static func label(courier: String = "yunexpress", countryCode: String = "US", weight: String = "1.5") -> String {
        #"{"idempotencyKey":"key-1","courier":"\#(courier)","service":{"shipperAccountId":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","productCode":"STD"},"shipment":{"shipTo":{"contact":{"firstName":"Ada","email":"ada@example.com"},"address":{"countryCode":"\#(countryCode)"}},"parcels":[{"weight":\#(weight)}]}}"#
    }

    static let quote = #"{"origin":{"country":"US"},"destination":{"country":"DE","postal_code":"10115"},"packages":[{"weight":2}]}"#
}
