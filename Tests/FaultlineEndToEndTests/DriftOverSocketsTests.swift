#if canImport(Glibc)
import Glibc
#endif
import Testing
import FaultlineHTTP
import FaultlineScenarios
import FaultlineTesting

/// `faultline drift` against a live API that is a second Faultline: the same file shows no
/// drift; a changed API shows each difference by JSON path.
@Suite(.serialized) struct DriftOverSocketsTests {
    /// The vendor file under check: what the API answered when it was recorded.
    static let checked = #"""
    {"vendor": "acme", "basePaths": ["/v1"], "headers": {"Content-Type": "application/json", "X-RateLimit-Limit": "100"},
     "endpoints": [
      {"id": "get-item", "method": "GET", "path": "/items/{item_id}", "response": {"status": 200, "body": {"id": "1"}},
       "examples": [
         {"request": {"parameters": {"item_id": "1"}, "query": {"expand": "price"}, "present": ["Authorization"]}, "response": {"status": 200, "body": {"id": "1", "name": "Widget", "price": 9.5, "tags": ["a"]}}},
         {"request": {"parameters": {"item_id": "1"}, "query": {}, "absent": ["Authorization"]}, "response": {"status": 401, "headers": {"WWW-Authenticate": "Bearer"}, "body": {"code": "unauthorized"}}}
       ]},
      {"id": "status", "method": "GET", "path": "/status", "response": {"status": 200, "body": {"ok": true}}},
      {"id": "get-order", "method": "GET", "path": "/orders/{order_id}", "response": {"status": 200, "body": {}}},
      {"id": "create-item", "method": "POST", "path": "/items", "response": {"status": 201, "body": {"id": "2"}}}
     ]}
    """#

    /// The live API, as it answers today; `changed` makes it drift.
    static func live(changed: Bool) -> String {
        let item = changed ? #"{"id": "1", "price": "9.50", "tags": [1], "currency": "EUR"}"# : #"{"id": "{{path.item_id}}", "name": "Widget", "price": 9.5, "tags": ["a"]}"#
        let limit = changed ? "" : #", "X-RateLimit-Limit": "100""#
        return #"""
        {"vendor": "acme", "basePaths": ["/v1"], "headers": {"Content-Type": "application/json"\#(limit)},
         "triggers": {"auth": {"credentials": [{"header": "Authorization", "scheme": "Bearer"}], "missing": "unauthorized", "invalid": "unauthorized"}},
         "errors": {"unauthorized": {"status": \#(changed ? 403 : 401), "headers": {"WWW-Authenticate": "Bearer"}, "body": {"code": "unauthorized"}}},
         "endpoints": [
          {"id": "get-item", "method": "GET", "path": "/items/{item_id}", "response": {"status": 200, "body": \#(item)}},
          {"id": "status", "method": "GET", "path": "/status", "response": {"status": 200, "body": {"ok": true}}}
         ]}
        """#
    }

    static func spec() throws -> VendorSpec {
        guard case .success(let spec) = ScenarioLoader.parse(Array(checked.utf8), file: "acme.json") else { throw SetupFailure() }
        return spec
    }

    @Test func theFileAgainstTheAPIItWasRecordedFromShowsNoDrift() throws {
        let live = try TestServer.start(files: ["acme.json": Self.live(changed: false)], options: .init(singleVendor: "acme"))
        defer { live.stop() }
        let (probes, skipped) = DriftPlan.probes(for: try Self.spec())
        #expect(probes.map { "\($0.method) \($0.target) \($0.source)" } == ["GET /v1/items/1?expand=price example 1", "GET /v1/items/1 example 2", "GET /v1/status response"])
        #expect(skipped.map(\.endpoint) == ["get-order", "create-item"])
        let results = DriftCheck.run(probes, against: try Upstream(url: "http://127.0.0.1:\(live.port)"), headers: [("Authorization", "Bearer k")])
        #expect(results.map(\.status) == [200, 401, 200])
        #expect(results.allSatisfy { $0.differences.isEmpty }, "\(results.map(\.differences))")
    }

    @Test func aChangedAPIShowsEachDifference() throws {
        let live = try TestServer.start(files: ["acme.json": Self.live(changed: true)], options: .init(singleVendor: "acme"))
        defer { live.stop() }
        let (probes, _) = DriftPlan.probes(for: try Self.spec(), include: ["POST /items"])
        #expect(probes.count == 4)
        let results = DriftCheck.run(probes, against: try Upstream(url: "http://127.0.0.1:\(live.port)"), headers: [("Authorization", "Bearer k")])
        #expect(results[0].differences == ["$.name: missing", "$.price: number → string", "$.tags[0]: string → number", "$.currency: new (string)", "X-RateLimit-Limit: missing"])
        #expect(results[1].differences == ["status 401 → 403", "X-RateLimit-Limit: missing"])
        #expect(results[2].differences == ["X-RateLimit-Limit: missing"])
        // The listed POST: the live API has no such endpoint any more.
        #expect(results[3].status == 404 && results[3].differences.first == "status 201 → 404")
        let text = DriftReport.text(vendor: "acme", against: "http://127.0.0.1:\(live.port)", results: results, skipped: [])
        #expect(text.contains("  DRIFT GET /v1/items/1?expand=price (get-item, example 1): 200\n          $.name: missing\n"))
    }

    @Test func anExampleWithASecretQueryValueNeedsOneGiven() throws {
        let file = #"{"vendor":"acme","basePaths":[""],"endpoints":[{"id":"search","method":"GET","path":"/search","response":{"status":200,"body":{}},"examples":[{"request":{"query":{"api_key":null,"q":"a b"}},"response":{"status":200,"body":{}}}]}]}"#
        guard case .success(let spec) = ScenarioLoader.parse(Array(file.utf8), file: "acme.json") else { throw SetupFailure() }
        let without = DriftPlan.probes(for: spec)
        #expect(without.probes.isEmpty)
        #expect(without.skipped.map(\.reason) == ["example 1 needs a value for api_key (--query api_key=VALUE)"])
        let with = DriftPlan.probes(for: spec, secrets: ["api_key": "k&1"])
        #expect(with.probes.map(\.target) == ["/search?api_key=k%261&q=a%20b"])
    }

    @Test func theCommandExitsOneOnDriftAndTwoWhenTheAPIDoesNotAnswer() throws {
        guard CommandLineTests.binaryIsBuilt() else { return }
        let directory = try TemporaryDirectory()
        try directory.write("acme.json", Self.checked)
        let same = try TestServer.start(files: ["acme.json": Self.live(changed: false)], options: .init(singleVendor: "acme"))
        defer { same.stop() }
        let changed = try TestServer.start(files: ["acme.json": Self.live(changed: true)], options: .init(singleVendor: "acme"))
        defer { changed.stop() }
        let out = directory.path + "/report"
        let command = "'\(CommandLineTests.binary)' drift --vendor acme --scenarios '\(directory.path)' --header 'Authorization: Bearer k'"
        #expect(CommandLineTests.shell("\(command) --against http://127.0.0.1:\(same.port) > '\(out)'") == 0)
        #expect(TemporaryDirectory.text(of: out).hasSuffix("3 requests: 3 as the file says, 0 drifted, 0 unanswered; 2 endpoints skipped\n"))
        #expect(CommandLineTests.shell("\(command) --against http://127.0.0.1:\(changed.port) --json > '\(out)'") == 1)
        #expect(TemporaryDirectory.text(of: out).hasPrefix(#"{"vendor":"acme","against":"http://127.0.0.1:\#(changed.port)","drifted":3,"unanswered":0,"checks":["#))
        #expect(CommandLineTests.shell("\(command) --against http://127.0.0.1:\(try RawUpstream.closedPort()) --timeout 1 > '\(out)'") == 2)
    }
}
