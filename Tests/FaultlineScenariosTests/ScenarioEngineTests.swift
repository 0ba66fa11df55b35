import Testing
import FaultlineHTTP
import FaultlineScenarios
import SeedFixtures

extension HTTPRequest {
    static func make(_ method: String = "GET", _ target: String = "/", headers: HTTPHeaders = ["Host": "localhost"], body: String = "") -> HTTPRequest {
        HTTPRequest(method: method, target: target, version: .http1_1, headers: headers, body: Array(body.utf8))
    }
}

@Suite struct ScenarioEngineTests {
    let engine: ScenarioEngine

    init() throws {
        let (catalog, diagnostics) = ScenarioLoader.loadDirectory(Bundled.scenarios)
        #expect(diagnostics.isEmpty)
        engine = try ScenarioEngine(catalog: catalog)
    }

    private func respond(_ method: String, _ target: String, headers: HTTPHeaders = ["Host": "localhost"], body: String = "") -> (HTTPResponse, String) {
        let response = engine.respond(to: .make(method, target, headers: headers, body: body))
        return (response, String(decoding: response.body, as: UTF8.self))
    }

    @Test(arguments: SeedExpectations.all)
    func servesEveryDocumentedErrorExactlyAsTheSeedWritesIt(_ expected: SeedExpectation) {
        let (response, body) = respond(expected.method, expected.target, body: expected.requestBody ?? "")
        #expect(response.status == expected.status)
        #expect(expected.bodyMatches(body), "body was \(body)")
        for (name, value) in expected.headers {
            #expect(response.headers[name] == value, "header \(name)")
        }
        #expect(response.headers["Faultline-Error"] == nil)
    }

    @Test func theIssueExampleComesOutByteForByte() {
        let (response, body) = respond("POST", "/aftership/v4/trackings?scenario=4003", body: "{}")
        #expect(response.status == 400)
        #expect(body == #"{"meta":{"code":4003,"type":"BadRequest","message":"Tracking already exists."},"data":{}}"#)
        #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
    }

    @Test func afterShipSendsRateLimitHeadersOnEveryResponseWithResetInEpochSeconds() throws {
        for target in ["/aftership/v4/trackings", "/aftership/v4/trackings?scenario=500", "/aftership/v4/couriers"] {
            let (response, _) = respond("GET", target)
            #expect(response.headers["X-RateLimit-Limit"] == "10")
            #expect(response.headers["X-RateLimit-Remaining"] != nil)
            let reset = try #require(response.headers["X-RateLimit-Reset"].flatMap { Int($0) })
            // Seconds, not milliseconds: a 13-digit value makes the Node SDK wait for years.
            #expect(String(reset).count == 10)
        }
    }

    @Test func scenarioNamesMatchCaseInsensitively() {
        let (response, body) = respond("GET", "/price2b/api/v1/orders?scenario=auth_001")
        #expect(response.status == 401)
        #expect(body.contains("AUTH_001"))
    }

    @Test func theHeaderSelectsAScenarioAndTheQueryWinsOverIt() {
        let (byHeader, _) = respond("GET", "/trackbot/v1/shipments", headers: ["Host": "h", "X-Faultline-Scenario": "402"])
        #expect(byHeader.status == 402)
        let (both, _) = respond("GET", "/trackbot/v1/shipments?scenario=429", headers: ["Host": "h", "X-Faultline-Scenario": "402"])
        #expect(both.status == 429)
    }

    @Test func aBareStatusPicksTheOnlyErrorWithThatStatus() {
        let (response, body) = respond("POST", "/generic/api/v1/users?scenario=402", body: "{}")
        #expect(response.status == 402)
        #expect(body.contains("INSUFFICIENT_BALANCE"))
    }

    @Test func aBareStatusSharedBySeveralErrorsListsThemInsteadOfGuessing() {
        let (response, body) = respond("POST", "/trackbot/v1/shipments?scenario=400")
        // TrackBot has a "400" name of its own, so that wins; Price2b's 422 is shared.
        #expect(response.status == 400)
        #expect(body.contains("The request is invalid."))
        let (ambiguous, listing) = respond("POST", "/price2b/api/v1/orders/1/ship?scenario=422", body: "{}")
        #expect(ambiguous.status == 400)
        #expect(ambiguous.headers["Faultline-Error"] == "ambiguous-scenario")
        #expect(listing.contains(#""name":"INV_002""#) && listing.contains(#""name":"FUL_001""#))
    }

    @Test func endpointSpecificErrorsAreOnlyOfferedOnTheirEndpoints() {
        let (onCreate, _) = respond("POST", "/aftership/v4/trackings?scenario=4003", body: "{}")
        #expect(onCreate.status == 400)
        let (onList, body) = respond("GET", "/aftership/v4/trackings?scenario=4003")
        #expect(onList.status == 400)
        #expect(onList.headers["Faultline-Error"] == "unknown-scenario")
        #expect(body.hasPrefix(#"{"faultline":{"error":"unknown-scenario""#))
        #expect(body.contains(#"{"name":"429","status":429}"#))
    }

    @Test func vendorWideErrorsAreOfferedOnEveryEndpoint() {
        for vendor in engine.catalog.vendors where vendor.name == "price2b" {
            for endpoint in vendor.endpoints {
                let path = "/price2b/api/v1" + endpoint.path.replacingParameters()
                let (response, _) = respond(endpoint.method, path + "?scenario=RATE_001", body: "{}")
                #expect(response.status == 429, "\(endpoint.id)")
            }
        }
    }

    @Test func templatesFillValuesFromPathQueryAndBody() {
        let key: HTTPHeaders = ["Host": "h", "aftership-api-key": "templates", "Content-Type": "application/json"]
        _ = respond("POST", "/aftership/v4/trackings", headers: key, body: #"{"tracking":{"slug":"dpd-de","tracking_number":"JD0141"}}"#)
        let (got, body) = respond("GET", "/aftership/v4/trackings/dpd-de/JD0141?lang=en", headers: key)
        #expect(got.status == 200)
        #expect(body.contains(#""slug":"dpd-de""#) && body.contains(#""tracking_number":"JD0141""#))
        let (_, inv) = respond("POST", "/price2b/api/v1/orders/7/ship?scenario=INV_002&product=SKU-9&product_id=999&available_stock=abc", body: "{}")
        #expect(inv == #"{"success":false,"message":"Insufficient stock for product SKU-9","error_code":"INV_002","meta":{"product_id":999,"available_stock":"abc","requested_quantity":100}}"#)
        let (_, label) = respond("POST", "/flexforward/labels?scenario=courier_error", body: #"{"courier":"dh\"l"}"#)
        #expect(label.contains(#""courier":"dh\"l""#))
    }

    @Test func theScenarioParameterNeverReachesTemplates() {
        let (_, body) = respond("POST", "/aftership/v4/trackings?scenario=4008&field=scenario")
        #expect(body.contains("The value of scenario is invalid."))
        let engine2 = try? ScenarioEngine(catalog: engine.catalog, options: .init(scenarioParameter: "field"))
        let response = engine2?.respond(to: .make("POST", "/aftership/v4/trackings?field=4008"))
        #expect(response?.status == 400)
        let text = String(decoding: response?.body ?? [], as: UTF8.self)
        #expect(text.contains("The value of tracking_postal_code is invalid."))
    }

    @Test func generatedIdsHaveTheVendorsShapes() throws {
        let (_, created) = respond("POST", "/aftership/v4/trackings", headers: ["Host": "h", "aftership-api-key": "k"], body: #"{"tracking":{"tracking_number":"1Z999"}}"#)
        let id = try #require(created.split(separator: "\"").drop { $0 != "id" }.dropFirst(2).first)
        #expect(id.count == 24 && id.allSatisfy { $0.isLowercase || $0.isNumber })
        let (_, label) = respond("POST", "/flexforward/labels?scenario=courier_error", body: #"{"idempotencyKey":"ids-1"}"#)
        let uuid = try #require(label.split(separator: "\"").dropFirst(3).first)
        #expect(SeedExpectation.isUUID(uuid))
        let (_, again) = respond("POST", "/flexforward/labels?scenario=courier_error", body: #"{"idempotencyKey":"ids-2"}"#)
        #expect(again != label)
    }

    @Test func pathsOutsideEveryVendorGetFaultlinesOwnAnswer() {
        let (outside, body) = respond("GET", "/nowhere")
        #expect(outside.status == 404)
        #expect(outside.headers["Faultline-Error"] == "no-endpoint")
        #expect(body.contains(#""mount":"/aftership""#))
    }

    @Test func aVendorWithoutTriggersListsItsEndpointsForAnUnknownPathAndAWrongMethod() throws {
        let vendor = try ScenarioLoader.parse(VendorFile.make(), file: "acme.json").get()
        let plain = try ScenarioEngine(catalog: ScenarioCatalog(vendors: [vendor]))
        let unknown = plain.respond(to: .make("GET", "/acme/v1/parcels"))
        #expect(unknown.headers["Faultline-Error"] == "no-endpoint")
        #expect(String(decoding: unknown.body, as: UTF8.self).contains("GET /acme/v1/things/{id}"))
        let wrong = plain.respond(to: .make("DELETE", "/acme/v1/things/1"))
        #expect(wrong.status == 405)
        #expect(wrong.headers["Allow"] == "GET, HEAD")
        #expect(wrong.headers["Faultline-Error"] == "method-not-allowed")
    }

    @Test func aLiteralSegmentWinsOverAParameterWhateverTheFileOrder() throws {
        let file = VendorFile.make(endpoints: #"[{"id":"byId","method":"GET","path":"/things/{id}","response":{"status":200,"body":"by id {{path.id}}"}},{"id":"all","method":"GET","path":"/things/all","response":{"status":200,"body":"all"}}]"#)
        let vendor = try ScenarioLoader.parse(file, file: "acme.json").get()
        let engine = try ScenarioEngine(catalog: ScenarioCatalog(vendors: [vendor]))
        #expect(engine.respond(to: .make("GET", "/acme/v1/things/all")).body == Array(#""all""#.utf8))
        #expect(engine.respond(to: .make("GET", "/acme/v1/things/42")).body == Array(#""by id 42""#.utf8))
    }

    @Test func routeOrderIsConsistentWhateverTheFileOrder() throws {
        let endpoints = #"[{"id":"one","method":"GET","path":"/couriers/{slug}","response":{"status":200,"body":"one {{path.slug}}"}},{"id":"list","method":"GET","path":"/couriers","response":{"status":200,"body":"list"}},{"id":"all","method":"GET","path":"/couriers/all","response":{"status":200,"body":"all"}}]"#
        let vendor = try ScenarioLoader.parse(VendorFile.make(endpoints: endpoints), file: "acme.json").get()
        let engine = try ScenarioEngine(catalog: ScenarioCatalog(vendors: [vendor]))
        #expect(engine.respond(to: .make("GET", "/acme/v1/couriers/all")).body == Array(#""all""#.utf8))
        #expect(engine.respond(to: .make("GET", "/acme/v1/couriers/ups")).body == Array(#""one ups""#.utf8))
        #expect(engine.respond(to: .make("GET", "/acme/v1/couriers")).body == Array(#""list""#.utf8))
    }

    @Test func aQueryValueStandingInForANumericSourceIsNeverWrittenAsRawJSON() throws {
        let endpoints = #"[{"id":"a","method":"GET","path":"/t","response":{"status":200,"body":{"wait":"{{rate.retryAfter|query.wait|60}}"}}}]"#
        let vendor = try ScenarioLoader.parse(VendorFile.make(endpoints: endpoints), file: "acme.json").get()
        let engine = try ScenarioEngine(catalog: ScenarioCatalog(vendors: [vendor]))
        let injected = engine.respond(to: .make("GET", "/acme/v1/t?wait=1,%22x%22:true"))
        #expect(String(decoding: injected.body, as: UTF8.self) == #"{"wait":"1,\"x\":true"}"#)
        #expect(String(decoding: engine.respond(to: .make("GET", "/acme/v1/t?wait=5")).body, as: UTF8.self) == #"{"wait":5}"#)
        #expect(String(decoding: engine.respond(to: .make("GET", "/acme/v1/t")).body, as: UTF8.self) == #"{"wait":60}"#)
    }

    @Test func headIsAnsweredByTheGetEndpoint() {
        let (response, _) = respond("HEAD", "/trackbot/v1/shipments?scenario=429")
        #expect(response.status == 429)
    }

    @Test func aSingleVendorCanBeMountedAtTheRoot() throws {
        let single = try ScenarioEngine(catalog: engine.catalog, options: .init(singleVendor: "aftership"))
        let response = single.respond(to: .make("POST", "/v4/trackings?scenario=4003", body: "{}"))
        #expect(response.status == 400)
        let unmounted = single.respond(to: .make("GET", "/aftership/v4/trackings"))
        #expect(unmounted.status == 404)
        #expect(unmounted.headers["Faultline-Trigger"] == "unknown-path")
        #expect(throws: ScenarioEngine.ConfigurationError.self) { try ScenarioEngine(catalog: engine.catalog, options: .init(singleVendor: "nobody")) }
    }

    @Test func theCatalogListingNamesEveryScenarioWithItsStatus() {
        let listing = CatalogListing.json(engine.catalog).serializedString
        #expect(listing.contains(#"{"name":"4003","status":400,"scope":"endpoint""#))
        #expect(listing.contains(#"{"name":"RATE_001","status":429,"scope":"vendor""#))
        // Each AfterShip generation's endpoints are listed under their own base path only.
        #expect(listing.contains(#"{"id":"createTracking","method":"POST","paths":["/aftership/v4/trackings"]"#))
        #expect(listing.contains(#"{"id":"versioned.createTracking","method":"POST","paths":["/aftership/tracking/{api_version}/trackings"]"#))
    }
}

extension String {
    /// `/orders/{order_id}/ship` → `/orders/1/ship`
    func replacingParameters() -> String {
        split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix("{") ? "1" : String($0) }.joined(separator: "/")
    }
}
