#if canImport(Glibc)
import Glibc
#endif
import Testing
import FaultlineHTTP
import FaultlineScenarios
import FaultlineTesting

/// Every request that once crashed or stalled the server (issue 11), sent again: each gets a
/// well-formed answer and the server keeps serving the next request.
@Suite struct HostileRequestsOverSocketsTests {
    typealias Session = StoredResourcesOverSocketsTests.Session

    /// The server still answers its health check (a trap would have killed the process, and
    /// with it this test run).
    static func stillServes(_ server: TestServer) throws {
        let health = try server.client().request("GET", "/__faultline/health")
        #expect(health.status == 200)
    }

    @Test(arguments: [
        ("/aftership/v4/couriers?scenario=429&dribble=9223372036854775807:1", "dribble"),
        ("/aftership/v4/couriers?dribble=1:1e13", "dribble"),
        ("/aftership/v4/couriers?dribble=0:10", "dribble"),
        ("/aftership/v4/couriers?dribble=16:-1", "dribble"),
        ("/aftership/v4/couriers?delay=1e300", "delay"),
        ("/aftership/v4/couriers?delay=nan", "delay"),
        ("/aftership/v4/couriers?delay=1.5s", "delay"),
        ("/aftership/v4/couriers?delay=lognormal:300:1e300", "delay"),
        ("/aftership/v4/couriers?delay=5-1", "delay"),
    ])
    func outOfRangeDeliveryParametersGetFaultlines400NamingTheParameter(target: String, parameter: String) throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let response = try server.client().request("GET", target)
        #expect(response.status == 400)
        #expect(response.headers["Faultline-Error"] == "invalid-parameter")
        let body = try JSONParser.parse(response.body)
        #expect(body["faultline"]?["parameter"] == .string(parameter))
        #expect(body["faultline"]?["message"]?.stringValue?.hasPrefix("Query parameter '\(parameter)': ") == true, "\(response.text)")
        try Self.stillServes(server)
    }

    @Test func theRefusalSaysWhatIsAllowed() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let response = try server.client().request("GET", "/aftership/v4/couriers?dribble=1:1e13")
        #expect(response.text == #"{"faultline":{"error":"invalid-parameter","message":"Query parameter 'dribble': '1:1e13' is not a slow body: write BYTES:MILLISECONDS (16:100), bytes from 1 to 1048576, milliseconds from 0 to 86400000.","parameter":"dribble"}}"#)
    }

    @Test func aRefusedParameterChangesNoState() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let api = Session(client: try server.client(), headers: [("aftership-api-key", "refused")])
        let refused = try api.call("POST", "/aftership/v4/trackings?delay=never", #"{"tracking":{"slug":"dpd-de","tracking_number":"RF000001"}}"#)
        #expect(refused.status == 400)
        #expect(try api.call("POST", "/aftership/v4/trackings", #"{"tracking":{"slug":"dpd-de","tracking_number":"RF000001"}}"#).status == 201)
    }

    @Test(arguments: [
        ("/aftership/v4/trackings", [("aftership-api-key", "k")]),
        ("/trackbot/v1/shipments", [("Authorization", "Bearer k")]),
        ("/generic/api/v1/users", [("X-API-Key", "k")]),
        ("/price2b/api/v1/inventory/products", [("Authorization", "Bearer k"), ("Accept", "application/json")]),
    ])
    func aPagePastEveryListIsAnEmptyPage(path: String, headers: [(String, String)]) throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let session = Session(client: try server.client(), headers: headers)
        for query in ["page=9223372036854775807", "page=4611686018427387904"] {
            let response = try session.call("GET", "\(path)?\(query)")
            #expect(response.status == 200, "\(path)?\(query): \(response.text)")
            #expect((try? JSONParser.parse(response.body)) != nil, "\(response.text)")
        }
        // Past Int64, or a page size past the vendor's maximum, the vendor's own validation answers.
        for query in ["page=9223372036854775808", "page=2&limit=9223372036854775807&per_page=9223372036854775807"] {
            let over = try session.call("GET", "\(path)?\(query)")
            #expect((400...499).contains(over.status), "\(path)?\(query): \(over.text)")
            #expect((try? JSONParser.parse(over.body)) != nil, "\(over.text)")
        }
        try Self.stillServes(server)
    }

    @Test func aStoredHugeNumberIsShippedFromWithoutATrap() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let api = Session(client: try server.client(), headers: BusinessRulesOverSocketsTests.price2bHeaders)
        let seeded = try api.client.request("POST", "/__faultline/state", headers: [StoredResourcesOverSocketsTests.json], body: #"{"vendor":"price2b","collection":"products","client":"p2b","item":{"product_id":12345,"sku":"PROD-001","name":"Mouse","available_stock":1e300}}"#)
        #expect(seeded.status == 200)
        #expect(try api.call("POST", "/price2b/api/v1/orders/1001/ship").status == 200)
        // 1e300 - 2 is 1e300 in a Double: written in its shortest form, still a JSON number.
        #expect(try StoredResourcesOverSocketsTests.value(try api.call("GET", "/price2b/api/v1/inventory/products/12345"), "data", "available_stock") == .number("1e+300"))
    }

    @Test func aHugeBalanceIsChargedWithoutATrap() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let api = Session(client: try server.client(), headers: [("X-API-Key", "rich")])
        let seeded = try api.client.request("POST", "/__faultline/state", headers: [StoredResourcesOverSocketsTests.json], body: #"{"vendor":"generic","collection":"accounts","client":"rich","item":{"id":"default","balance":"1e300","currency":"USD"}}"#)
        #expect(seeded.status == 200)
        #expect(try api.call("POST", "/generic/api/v1/users", #"{"user_id":"usr_1"}"#).status == 201)
        // A balance past any number (1e400 reads as infinity) is left as it is, not made "inf".
        _ = try api.client.request("POST", "/__faultline/state", headers: [StoredResourcesOverSocketsTests.json], body: #"{"vendor":"generic","collection":"accounts","client":"rich","item":{"id":"default","balance":"1e400","currency":"USD"}}"#)
        #expect(try api.call("POST", "/generic/api/v1/users", #"{"user_id":"usr_2"}"#).status == 201)
        let state = try api.client.request("GET", "/__faultline/state?client=rich&vendor=generic")
        #expect(state.text.contains(#""balance":"1e400""#), "\(state.text)")
    }

    @Test func aSlowBodyEndsWithinMaxHold() throws {
        let server = try TestServer.start { $0.maxHold = 0.3 }
        defer { server.stop() }
        let whole = try server.client().request("GET", "/aftership/v4/couriers?scenario=429")
        let client = try server.client(timeout: 10)
        let start = Clock.now()
        // One byte a minute would take hours; the hold ends at 0.3 s and the rest goes at once.
        let slow = try client.request("GET", "/aftership/v4/couriers?scenario=429&dribble=1:60000")
        let seconds = Clock.now() - start
        #expect(slow.body == whole.body)
        #expect(seconds < 5, "took \(seconds) s")
        try Self.stillServes(server)
    }

    @Test func aBrokenFileArrivingByReloadKeepsThePreviousScenariosServing() throws {
        let directory = try TemporaryDirectory()
        try directory.copyFiles(from: TestServer.bundledScenariosDirectory)
        let server = try TestServer.start(scenarios: directory.path)
        defer { server.stop() }
        let cases = [
            (#"{"vendor":"x","basePaths":[""],"endpoints":[{"id":"a","method":"POST","path":"/a","response":{"status":201},"state":[{"create":"c"}]}],"collections":{"c":{"keys":["id"]}}}"#, "$.endpoints[0].state[0]", "missing required key 'item'"),
            (#"{"vendor":"x","basePaths":[""],"endpoints":[{"id":"a","method":"POST","path":"/a","response":{"status":201},"state":[{"forEach":"{{body.a}}"}]}],"collections":{"c":{"keys":["id"]}}}"#, "$.endpoints[0].state[0]", "missing required key 'do'"),
            (#"{"vendor":"x","basePaths":[""],"endpoints":[{"id":"a","method":"GET","path":"/a","response":{"status":200,"body":{"t":"{{now+9223372036854775807}}"}}}]}"#, "$.endpoints[0].response.body.t", "the offset after now must be whole seconds"),
        ]
        for (text, path, message) in cases {
            try directory.write("x.json", text)
            let reload = try server.client().request("POST", "/__faultline/reload")
            #expect(reload.status == 422)
            let errors = try JSONParser.parse(reload.body)["errors"]
            #expect(errors?[0]?["file"] == .string("x.json"))
            #expect(errors?[0]?["path"] == .string(path), "\(reload.text)")
            #expect(errors?[0]?["message"]?.stringValue?.contains(message) == true, "\(reload.text)")
            #expect(try server.client().request("GET", "/aftership/v4/couriers?scenario=429").status == 429)
        }
    }

    @Test func aKeyPartHoldingTheOldSeparatorCannotReplayAnotherClientsLabel() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let connection = try server.client()
        let victim = try connection.request("POST", "/flexforward/labels", headers: [("Authorization", "Bearer acct"), StoredResourcesOverSocketsTests.json], body: FlexForwardLabelsOverSocketsTests.label(key: "k\\u001fz"))
        #expect(victim.status == 201)
        let attacker = try connection.request("POST", "/flexforward/labels?faultline_client=acct%1Fk", headers: [("Authorization", "Bearer acct"), StoredResourcesOverSocketsTests.json], body: FlexForwardLabelsOverSocketsTests.label(key: "z"))
        #expect(attacker.status == 201)
        #expect(attacker.body != victim.body)
    }

    @Test func aRequestValueCannotPutAControlCharacterInAHeader() throws {
        let server = try TestServer.start(files: ["echo.json": #"{"vendor":"echo","basePaths":["/v1"],"endpoints":[{"id":"e","method":"GET","path":"/e","response":{"status":200,"headers":{"X-Echo":"<{{query.v}}>"},"body":{"ok":true}}}]}"#])
        defer { server.stop() }
        let client = try server.client()
        try client.send("GET /echo/v1/e?v=a%01b%7Fc%0D%0AX-Injected:%201%09d HTTP/1.1\r\nHost: h\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.headers["X-Echo"] == "<abcX-Injected: 1\td>")
        #expect(response.headers["X-Injected"] == nil)
    }

    @Test(.timeLimit(.minutes(1)))
    func aNestedQuantifierPatternAnswersAtOnceAndTheServerStaysHealthy() throws {
        let file = #"{"vendor":"re","basePaths":["/v1"],"errors":{"invalid":{"status":422,"body":{"error":"{{violation.message}}"}}},"triggers":{"validation":{"mode":"first","response":"invalid"}},"endpoints":[{"id":"a","method":"POST","path":"/a","validate":[{"field":"x","type":"string","pattern":"^(a+)+$"}],"response":{"status":201,"body":{"ok":true}}}]}"#
        let server = try TestServer.start(files: ["re.json": file])
        defer { server.stop() }
        for value in [String(repeating: "a", count: 21) + "!", String(repeating: "a", count: 500_000) + "!"] {
            let response = try server.client(timeout: 30).request("POST", "/re/v1/a", headers: [StoredResourcesOverSocketsTests.json], body: #"{"x":"\#(value)"}"#)
            #expect(response.status == 422)
        }
        #expect(try server.client().request("POST", "/re/v1/a", headers: [StoredResourcesOverSocketsTests.json], body: #"{"x":"aaaa"}"#).status == 201)
        try Self.stillServes(server)
    }

    @Test func theAdminTokenTakesAnyCaseOfBearer() throws {
        var options = ScenarioEngine.Options()
        options.adminToken = "s3cret"
        let server = try TestServer.start(options: options)
        defer { server.stop() }
        for header in [("Authorization", "Bearer s3cret"), ("Authorization", "bearer s3cret"), ("Authorization", "BEARER   s3cret"), ("X-Faultline-Admin-Token", "s3cret")] {
            #expect(try server.client().request("GET", "/__faultline/scenarios", headers: [header]).status == 200, "\(header)")
        }
        for header in [("Authorization", "Bearer "), ("Authorization", "Bearer s3cre"), ("Authorization", "Basic s3cret"), ("X-Faultline-Admin-Token", "")] {
            #expect(try server.client().request("GET", "/__faultline/scenarios", headers: [header]).status == 401, "\(header)")
        }
    }

    @Test func anUnknownChaosScenarioIsRefusedAtStart() throws {
        var options = ScenarioEngine.Options()
        options.chaos = [ChaosRule(vendor: "aftership", scenario: "nope", probability: 0.5)]
        #expect(throws: ScenarioEngine.ConfigurationError.self) { try TestServer.start(options: options) }
        options.chaos = [ChaosRule(vendor: nil, scenario: "4003", probability: 0.5), ChaosRule(vendor: nil, scenario: "gateway_502", probability: 0.1), ChaosRule(vendor: "trackbot", scenario: "reset", probability: 0.1)]
        let server = try TestServer.start(options: options)
        server.stop()
    }

    @Test func reloadsPostedInALoopBuildNothingWhileTheFilesStayTheSame() throws {
        let directory = try TemporaryDirectory()
        try directory.copyFiles(from: TestServer.bundledScenariosDirectory)
        let server = try TestServer.start(scenarios: directory.path)
        defer { server.stop() }
        let before = ObjectIdentifier(server.engine)
        for _ in 0..<50 {
            #expect(try server.client().request("POST", "/__faultline/reload").status == 200)
        }
        #expect(ObjectIdentifier(server.engine) == before)
        // A changed file is read again at once.
        let aftership = TemporaryDirectory.text(of: directory.path + "/aftership.json")
        try directory.write("aftership.json", aftership + "\n")
        #expect(try server.client().request("POST", "/__faultline/reload").status == 200)
        #expect(ObjectIdentifier(server.engine) != before)
    }
}
