import Testing
import FaultlineHTTP
import FaultlineTesting
#if canImport(Glibc)
import Glibc
#endif
@testable import FaultlineScenarios

/// Recorded exchanges into a scenario file, without sockets.
struct RecordingSynthesisTests {
    static func exchange(_ method: String, _ target: String, _ status: Int, _ body: String, headers: HTTPHeaders = ["Content-Type": "application/json"]) -> RecordedExchange {
        RecordedExchange(method: method, target: target, status: status, responseHeaders: headers, responseBody: Array(body.utf8))
    }

    @Test func idLikeSegmentsBecomeParametersNamedAfterTheirCollection() {
        #expect(RecordedPaths.template("/v1/users/42/orders/9f1c2b3a4d5e6f708192") == "/v1/users/{user_id}/orders/{order_id}")
        #expect(RecordedPaths.template("/trackings/3fa85f64-5717-4562-b3fc-2c963f66afa6") == "/trackings/{tracking_id}")
        #expect(RecordedPaths.template("/carriers/dhl/trk_1Z999AA10123456784") == "/carriers/dhl/{dhl_id}")
        #expect(RecordedPaths.template("/companies/acme/categories") == "/companies/acme/categories")
        #expect(RecordedPaths.template("/7/8") == "/{id}/{id2}")
        #expect(RecordedPaths.template("/") == "/")
        #expect(RecordedPaths.template("/a b") == "/a%20b")
        #expect(!RecordedPaths.looksLikeID("deadbeefdeadbeef"), "hex without a digit is a word")
        // Short ids show themselves by varying between recordings of the same path.
        #expect(RecordedPaths.templates([("GET", "/users/u_1001/posts"), ("GET", "/users/u_1002/posts"), ("GET", "/users/me/posts"), ("PUT", "/users/u_1003/posts"), ("GET", "/v2/users")])
            == ["/users/{user_id}/posts", "/users/{user_id}/posts", "/users/me/posts", "/users/u_1003/posts", "/v2/users"])
        // Two varying ids in one path: found over two passes.
        #expect(RecordedPaths.templates([("GET", "/a/x1/b/y1"), ("GET", "/a/x2/b/y1"), ("GET", "/a/x2/b/y2")]) == Array(repeating: "/a/{a_id}/b/{b_id}", count: 3))
        #expect(!RecordedPaths.looksLikeID("v1"))
    }

    @Test func secretsAreRecognisedByTheWordsOfTheirNames() {
        for name in ["access_token", "clientSecret", "api-key", "password", "refreshToken", "apiKey", "key"] {
            #expect(RecordedSecrets.isSecretField(name), "\(name)")
        }
        for name in ["keys", "monkey", "tokens_used", "id", "keyboard", "author"] {
            #expect(!RecordedSecrets.isSecretField(name), "\(name)")
        }
        for name in ["Authorization", "Cookie", "Set-Cookie", "X-API-Key", "aftership-api-key", "X-Auth-Token", "Client-Secret"] {
            #expect(RecordedSecrets.isSecretHeader(name), "\(name)")
        }
        #expect(!RecordedSecrets.isSecretHeader("Content-Type"))
        let scrubbed = RecordedSecrets.scrub(try! JSONParser.parse(Array(#"{"user":{"name":"Ada","password":"pw","keys":[1]},"items":[{"access_token":"t","ttl":5}],"has_password":true}"#.utf8)))
        #expect(scrubbed.serializedString == #"{"user":{"name":"Ada","password":"REDACTED","keys":[1]},"items":[{"access_token":"REDACTED","ttl":5}],"has_password":true}"#)
    }

    @Test func endpointsTakeTheirFirstSuccessAndErrorsBecomeScenariosByCode() throws {
        let exchanges = [
            Self.exchange("GET", "/v1/items/5?scenario=x", 404, #"{"error":{"code":"item_not_found","message":"No item 5."}}"#),
            Self.exchange("GET", "/v1/items/6", 200, #"{"id":"6","token":"abc"}"#),
            Self.exchange("GET", "/v1/items/7", 200, #"{"id":"7"}"#),
            Self.exchange("GET", "/v1/items/8", 500, "upstream exploded", headers: ["Content-Type": "text/plain"]),
            Self.exchange("GET", "/v1/items/9", 404, #"{"meta":{"code":4004,"type":"NotFound"}}"#),
            Self.exchange("GET", "/v1/items/9", 404, #"{"meta":{"code":4004,"type":"NotFound"}}"#),
            Self.exchange("POST", "/v1/items", 201, "{ \"id\": \"10\" }"),
            Self.exchange("HEAD", "/v1/items/1", 200, ""),
        ]
        let (file, summary) = RecordingSynthesis.vendorFile(vendor: "acme", upstream: "https://api.acme.test", exchanges: exchanges)
        #expect(summary.exchanges == 8)
        #expect(summary.endpoints == ["GET /v1/items/{item_id}", "POST /v1/items"])
        #expect(summary.scenarios == ["get-v1-items-item_id: item_not_found (404)", "get-v1-items-item_id: 500 (500)", "get-v1-items-item_id: 4004 (404)"])
        #expect(summary.skipped == ["HEAD /v1/items/1: scenario files have GET, POST, PUT, PATCH and DELETE endpoints only"])
        let get = try #require(file["endpoints"]?[0])
        #expect(get["response"]?.serializedString == #"{"status":200,"headers":{"Content-Type":"application/json"},"body":{"id":"6","token":"REDACTED"}}"#)
        #expect(get["scenarios"]?["500"]?.serializedString == #"{"status":500,"headers":{"Content-Type":"text/plain"},"text":"upstream exploded"}"#)
        // A body the compact serialisation would change is kept as text, byte for byte.
        #expect(file["endpoints"]?[1]?["response"]?.serializedString == #"{"status":201,"headers":{"Content-Type":"application/json"},"text":"{ \"id\": \"10\" }"}"#)
        // Every answer but one carried application/json: not shared, so each keeps its own.
        #expect(file["headers"] == nil)
        let text = file.prettyPrinted
        guard case .success(let spec) = ScenarioLoader.parse(Array(text.utf8), file: "acme.json") else {
            Issue.record("the written file does not load:\n\(text)")
            return
        }
        #expect(spec.endpoints.count == 2)
    }

    @Test func examplesKeepEachRequestButNoSecret() throws {
        var withKey = Self.exchange("GET", "/v1/items/1?api_key=k_live_1&page=2", 200, #"{"id":"1"}"#)
        withKey.requestHeaders = ["Authorization": "Bearer sk_live_2"]
        var login = Self.exchange("POST", "/v1/login", 200, #"{"ok":true}"#)
        login.requestBody = Array(#"{"user":"ada","password":"pw_live_3"}"#.utf8)
        var search = Self.exchange("POST", "/v1/search", 200, #"{"hits":[]}"#)
        search.requestBody = Array(#"{"q":"shoes"}"#.utf8)
        let exchanges = [withKey, Self.exchange("GET", "/v1/items/1?page=2", 401, #"{"code":"unauthorized"}"#), login, search]
        let file = RecordingSynthesis.vendorFile(vendor: "acme", upstream: "u", exchanges: exchanges).file
        let text = file.prettyPrinted
        for secret in ["k_live_1", "sk_live_2", "pw_live_3"] { #expect(!text.contains(secret), "\(secret) reached the file") }
        #expect(file["endpoints"]?[0]?["examples"]?.serializedString == #"[{"request":{"parameters":{"item_id":"1"},"query":{"api_key":null,"page":"2"},"present":["Authorization"]},"response":{"status":200,"body":{"id":"1"}}},{"request":{"parameters":{"item_id":"1"},"query":{"page":"2"},"absent":["Authorization"]},"response":{"status":401,"body":{"code":"unauthorized"}}}]"#)
        #expect(file["endpoints"]?[1]?["examples"]?[0]?["request"]?.serializedString == #"{"query":{}}"#)
        #expect(file["endpoints"]?[2]?["examples"]?[0]?["request"]?.serializedString == #"{"query":{},"body":{"q":"shoes"}}"#)
    }

    @Test func anAnswerHoldingBracesIsSentAsWritten() throws {
        let exchanges = [Self.exchange("GET", "/v1/templates/1", 200, #"{"greeting":"Hello {{name}}","unclosed":"{{"}"#, headers: ["Content-Type": "application/json", "X-Pattern": "{{id}}"])]
        let file = RecordingSynthesis.vendorFile(vendor: "acme", upstream: "u", exchanges: exchanges).file
        #expect(file["endpoints"]?[0]?["response"]?["literal"] == .bool(true))
        guard case .success(let spec) = ScenarioLoader.parse(Array(file.prettyPrinted.utf8), file: "acme.json") else {
            Issue.record("a literal answer does not load")
            return
        }
        let engine = try ScenarioEngine(catalog: ScenarioCatalog(vendors: [spec]), options: .init(singleVendor: "acme"))
        let response = engine.respond(to: HTTPRequest(method: "GET", target: "/v1/templates/1"))
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"greeting":"Hello {{name}}","unclosed":"{{"}"#)
        #expect(response.headers["X-Pattern"] == "{{id}}")
    }

    @Test func aRecordingMergesIntoAHandWrittenFileByRouteShapeUnderItsBasePath() throws {
        let existing = try JSONParser.parse(Array(#"{"vendor":"acme","basePaths":["/v1"],"endpoints":[{"id":"item","method":"GET","path":"/items/{id}","response":{"status":200,"body":{}}}]}"#.utf8))
        let (merged, summary) = RecordingSynthesis.vendorFile(vendor: "acme", upstream: "u", exchanges: [
            Self.exchange("GET", "/v1/items/12345", 404, #"{"code":"not_found"}"#),
            Self.exchange("GET", "/v1//items", 200, "{}"),
        ], existing: existing)
        #expect(summary.endpoints.isEmpty)
        #expect(summary.scenarios == ["item: not_found (404)"])
        #expect(summary.skipped == ["GET /v1//items: an empty path segment (a doubled '/') has no endpoint path"])
        #expect(merged["endpoints"]?[0]?["examples"]?[0]?["request"]?.serializedString == #"{"parameters":{"id":"12345"},"query":{}}"#)
        guard case .success = ScenarioLoader.parse(Array(merged.prettyPrinted.utf8), file: "acme.json") else {
            Issue.record("the merged file does not load:\n\(merged.prettyPrinted)")
            return
        }
    }

    @Test func aTrailingSlashIsThePathWithoutIt() throws {
        let (file, summary) = RecordingSynthesis.vendorFile(vendor: "acme", upstream: "u", exchanges: [
            Self.exchange("GET", "/api/users/", 200, "[]"),
            Self.exchange("GET", "/api/users/42/", 200, #"{"id":42}"#),
            Self.exchange("GET", "/api//users", 200, "[]"),
        ])
        #expect(summary.endpoints == ["GET /api/users", "GET /api/users/{user_id}"])
        #expect(summary.skipped == ["GET /api//users: an empty path segment (a doubled '/') has no endpoint path"])
        #expect(file["endpoints"]?[1]?["examples"]?[0]?["request"]?.serializedString == #"{"parameters":{"user_id":"42"},"query":{}}"#)
    }

    @Test func aRecordingIntoAFileWithSeveralBasePathsTakesTheLongestItIsUnder() throws {
        let existing = try JSONParser.parse(Array(#"{"vendor":"acme","basePaths":["/v1","/v1/admin"],"endpoints":[{"id":"item","method":"GET","path":"/items/{id}","response":{"status":200,"body":{}}}]}"#.utf8))
        let (merged, summary) = RecordingSynthesis.vendorFile(vendor: "acme", upstream: "u", exchanges: [
            Self.exchange("GET", "/v1/admin/users/7", 200, "{}"),
            Self.exchange("GET", "/v1/admin", 200, "{}"),
            Self.exchange("GET", "/health", 200, "{}"),
        ], existing: existing)
        #expect(summary.endpoints == ["GET /users/{user_id}", "GET /"])
        #expect(summary.skipped == ["GET /health: under none of the file's base paths (/v1, /v1/admin)"])
        #expect(merged["endpoints"]?[1]?["basePaths"]?.serializedString == #"["/v1/admin"]"#)
        #expect(merged["endpoints"]?[1]?["examples"]?[0]?["request"]?.serializedString == #"{"parameters":{"user_id":"7"},"query":{}}"#)
        guard case .success = ScenarioLoader.parse(Array(merged.prettyPrinted.utf8), file: "acme.json") else {
            Issue.record("the merged file does not load:\n\(merged.prettyPrinted)")
            return
        }
    }

    @Test func aFileThatCannotBeMergedIsNotOverwritten() throws {
        let directory = try TemporaryDirectory()
        let recorder = Recorder(upstream: try Upstream(url: "http://127.0.0.1:1"), vendor: "acme", directory: directory.path)
        try directory.write("acme.json", "not json")
        #expect(throws: RecordingError.self) { try recorder.write() }
        #expect(TemporaryDirectory.text(of: directory.path + "/acme.json") == "not json")
        let other = Recorder(upstream: try Upstream(url: "http://127.0.0.1:1"), vendor: "dir", directory: directory.path)
        #expect(mkdir(directory.path + "/dir.json", 0o755) == 0)
        #expect(throws: RecordingError.self) { try other.write() }
        let fresh = try Recorder(upstream: Upstream(url: "http://127.0.0.1:1"), vendor: "fresh", directory: directory.path).write()
        // Nothing recorded: no endpoint, which does not load, so the file goes beside, as rejected.
        #expect(fresh.file == directory.path + "/fresh.json.rejected" && !fresh.problems.isEmpty)
    }

    @Test func formEncodedSecretsAreRedacted() {
        // By the words of the name: `token_type` says token, too.
        #expect(RecordedSecrets.scrubForm("access_token=abc&token_type=bearer&expires_in=3600") == "access_token=REDACTED&token_type=REDACTED&expires_in=3600")
        #expect(RecordedSecrets.scrubForm("a=1&b=2") == nil)
    }

    @Test func aSecondRecordingMergesIntoTheFirst() throws {
        let first = RecordingSynthesis.vendorFile(vendor: "acme", upstream: "u", exchanges: [
            Self.exchange("GET", "/v1/items/1", 200, #"{"id":"1"}"#),
            Self.exchange("GET", "/v1/items/2", 404, #"{"code":"missing"}"#),
        ]).file
        #expect(first["headers"]?.serializedString == #"{"Content-Type":"application/json"}"#)
        let (merged, summary) = RecordingSynthesis.vendorFile(vendor: "acme", upstream: "u", exchanges: [
            Self.exchange("GET", "/v1/items/3", 200, #"{"id":"3"}"#),
            Self.exchange("GET", "/v1/items/4", 404, #"{"code":"missing"}"#),
            Self.exchange("GET", "/v1/items/5", 410, #"{"code":"gone"}"#),
            Self.exchange("DELETE", "/v1/items/5", 204, ""),
        ], existing: first)
        #expect(summary.endpoints == ["DELETE /v1/items/{item_id}"])
        #expect(summary.scenarios == ["get-v1-items-item_id: gone (410)"])
        let get = try #require(merged["endpoints"]?[0])
        #expect(get["response"]?["body"]?.serializedString == #"{"id":"1"}"#, "the first recording's answer is kept")
        #expect(get["scenarios"]?.objectMembers?.map(\.key) == ["missing", "gone"])
        #expect(merged["endpoints"]?[1]?["response"]?.serializedString == #"{"status":204}"#)
        guard case .success = ScenarioLoader.parse(Array(merged.prettyPrinted.utf8), file: "acme.json") else {
            Issue.record("the merged file does not load:\n\(merged.prettyPrinted)")
            return
        }
    }
}
