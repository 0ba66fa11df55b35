import Testing
import FaultlineHTTP
@testable import FaultlineScenarios

/// A vendor with one collection and CRUD endpoints bound to it; each test changes one thing.
enum StatefulVendorFile {
    static let endpoints = #"""
    [{"id":"create","method":"POST","path":"/things","response":{"status":201,"body":{"thing":"{{item}}"}},
      "state":[{"create":"things","item":{"id":"{{body.id}}","name":"{{body.name|unnamed}}","_secret":1},"conflict":{"response":"exists","itemAt":"error.thing"}}]},
     {"id":"get","method":"GET","path":"/things/{id}","response":{"status":200,"body":"{{item}}"},
      "state":[{"find":"things","where":{"id":"{{path.id}}"},"missing":"gone"}]},
     {"id":"list","method":"GET","path":"/things","response":{"status":200,"body":{"items":"{{items}}","total":"{{list.total}}","pages":"{{list.pages}}"}},
      "state":[{"list":"things","limit":"{{query.limit|10}}","page":"{{query.page|1}}"}]}]
    """#
    static let errors = #"{"exists":{"status":409,"body":{"error":{"code":"exists"}}},"gone":{"status":404,"body":{"error":"gone"}}}"#

    static func make(collections: String = #"{"things":{"keys":["id"],"capacity":3}}"#, endpoints: String = endpoints, extra: String = "") -> [UInt8] {
        VendorFile.make(endpoints: endpoints, errors: errors, extra: #","collections":\#(collections)\#(extra)"#)
    }

    static func engine(_ bytes: [UInt8] = make()) throws -> ScenarioEngine {
        let vendor = try ScenarioLoader.parse(bytes, file: "acme.json").get()
        return try ScenarioEngine(catalog: ScenarioCatalog(vendors: [vendor]))
    }
}

@Suite struct StateLoadingTests {
    static let badFiles: [ScenarioLoaderTests.BadFile] = [
        .init(name: "unknown collection", bytes: StatefulVendorFile.make(endpoints: #"[{"id":"a","method":"GET","path":"/t","response":{"status":200},"state":[{"list":"widgets"}]}]"#), path: "$.endpoints[0].state[0].list", message: "unknown collection 'widgets'"),
        .init(name: "where is not a key", bytes: StatefulVendorFile.make(endpoints: #"[{"id":"a","method":"GET","path":"/t/{n}","response":{"status":200},"state":[{"find":"things","where":{"name":"{{path.n}}"}}]}]"#), path: "$.endpoints[0].state[0].where", message: "are not a key of 'things'"),
        .init(name: "answer the endpoint lacks", bytes: StatefulVendorFile.make(endpoints: #"[{"id":"a","method":"GET","path":"/t/{id}","response":{"status":200},"state":[{"find":"things","where":{"id":"{{path.id}}"},"missing":"nope"}]}]"#), path: "$.endpoints[0].state[0].missing", message: "'nope' is not a response this endpoint offers"),
        .init(name: "itemAt outside the body", bytes: StatefulVendorFile.make(endpoints: #"[{"id":"a","method":"POST","path":"/t","response":{"status":201},"state":[{"create":"things","item":{"id":"1"},"conflict":{"response":"exists","itemAt":"a.b.c"}}]}]"#), path: "$.endpoints[0].state[0].conflict.itemAt", message: "is not a place in the body"),
        .init(name: "set with nothing bound", bytes: StatefulVendorFile.make(endpoints: #"[{"id":"a","method":"POST","path":"/t","response":{"status":200},"state":[{"set":{"name":"x"}}]}]"#), path: "$.endpoints[0].state[0]", message: "none comes before it"),
        .init(name: "two verbs in a step", bytes: StatefulVendorFile.make(endpoints: #"[{"id":"a","method":"POST","path":"/t","response":{"status":200},"state":[{"list":"things","delete":true}]}]"#), path: "$.endpoints[0].state[0]", message: "a step has one verb"),
        .init(name: "when without a comparison", bytes: StatefulVendorFile.make(endpoints: #"[{"id":"a","method":"POST","path":"/t","response":{"status":200},"state":[{"when":"{{body.x}}","response":"gone"}]}]"#), path: "$.endpoints[0].state[0]", message: "exactly one of equals"),
        .init(name: "created item lacks a key field", bytes: StatefulVendorFile.make(endpoints: #"[{"id":"a","method":"POST","path":"/t","response":{"status":201},"state":[{"create":"things","item":{"name":"x"}}]}]"#), path: "$.endpoints[0].state[0].item", message: "lacks a field of the key [id]"),
        .init(name: "undeclared setting", bytes: StatefulVendorFile.make(endpoints: #"[{"id":"a","method":"GET","path":"/t","response":{"status":200,"body":{"v":"{{setting.missing}}"}}}]"#), path: "$.endpoints[0].response.body.v", message: "setting 'missing', which $.settings does not declare"),
        .init(name: "placeholder in a declared item", bytes: StatefulVendorFile.make(collections: #"{"things":{"keys":["id"],"items":[{"id":"{{uuid}}"}]}}"#), path: "$.collections.things.items[0]", message: "stored as written"),
        .init(name: "capacity of zero", bytes: StatefulVendorFile.make(collections: #"{"things":{"keys":["id"],"capacity":0}}"#), path: "$.collections.things.capacity", message: "from 1 to 1000000"),
        .init(name: "a key of only the client", bytes: StatefulVendorFile.make(collections: #"{"things":{"keys":["id",["@client"]]}}"#), path: "$.collections.things.keys[1]", message: "needs a field besides @client"),
        .init(name: "a sequence that is not one", bytes: StatefulVendorFile.make(extra: #","sequences":{"flaky":"gone"}"#), path: "$.sequences.flaky", message: "is not a sequence"),
    ]

    @Test(arguments: badFiles)
    func rejectsAnInvalidStateDeclarationNamingThePath(_ bad: ScenarioLoaderTests.BadFile) {
        let found: [ScenarioDiagnostic]
        switch ScenarioLoader.parse(bad.bytes, file: "acme.json") {
        case .success: found = []
        case .failure(let failure): found = failure.diagnostics
        }
        #expect(found.contains { $0.path == bad.path && $0.message.contains(bad.message) }, "got \(found)")
    }

    @Test func aValidStatefulFileLoads() throws {
        let vendor = try ScenarioLoader.parse(StatefulVendorFile.make(), file: "acme.json").get()
        #expect(vendor.collections.map(\.name) == ["things"])
        #expect(vendor.endpoints.map(\.state.count) == [1, 1, 1])
    }
}

@Suite struct StateEngineTests {
    func call(_ engine: ScenarioEngine, _ method: String, _ target: String, body: String = "", client: String = "c1") -> (Int, String, HTTPHeaders) {
        let response = engine.respond(to: .make(method, target, headers: ["Host": "h", "X-Faultline-Client": client], body: body))
        return (response.status, String(decoding: response.body, as: UTF8.self), response.headers)
    }

    @Test func createFindConflictAndHiddenFields() throws {
        let engine = try StatefulVendorFile.engine()
        let (created, body, _) = call(engine, "POST", "/acme/v1/things", body: #"{"id":"a1","name":"Anvil"}"#)
        #expect(created == 201)
        #expect(body == #"{"thing":{"id":"a1","name":"Anvil"}}"#)
        let (conflict, existing, headers) = call(engine, "POST", "/acme/v1/things", body: #"{"id":"a1","name":"Other"}"#)
        #expect(conflict == 409)
        #expect(existing == #"{"error":{"code":"exists","thing":{"id":"a1","name":"Anvil"}}}"#)
        #expect(headers["Faultline-Trigger"] == "state")
        #expect(call(engine, "GET", "/acme/v1/things/a1").1 == #"{"id":"a1","name":"Anvil"}"#)
        #expect(call(engine, "GET", "/acme/v1/things/zz").0 == 404)
        // Another client has its own items.
        #expect(call(engine, "GET", "/acme/v1/things/a1", client: "c2").0 == 404)
    }

    @Test func theOldestItemIsEvictedPastTheCapacity() throws {
        let engine = try StatefulVendorFile.engine()
        for id in ["1", "2", "3", "4"] {
            #expect(call(engine, "POST", "/acme/v1/things", body: #"{"id":"\#(id)"}"#).0 == 201)
        }
        #expect(call(engine, "GET", "/acme/v1/things/1").0 == 404)
        #expect(call(engine, "GET", "/acme/v1/things/4").0 == 200)
        #expect(call(engine, "GET", "/acme/v1/things").1 == #"{"items":[{"id":"2","name":"unnamed"},{"id":"3","name":"unnamed"},{"id":"4","name":"unnamed"}],"total":3,"pages":1}"#)
        #expect(call(engine, "GET", "/acme/v1/things?limit=2&page=2").1 == #"{"items":[{"id":"4","name":"unnamed"}],"total":3,"pages":2}"#)
        #expect(call(engine, "GET", "/acme/v1/things?limit=2&page=9").1 == #"{"items":[],"total":3,"pages":2}"#)
    }

    @Test func sharedCollectionsRefuseAnotherClientsItem() throws {
        let endpoints = #"""
        [{"id":"create","method":"POST","path":"/things","response":{"status":201,"body":"{{item}}"},
          "state":[{"find":"things","where":{"key":"{{body.key}}"},"optional":true,"found":"exists"},{"create":"things","item":{"id":"{{uuid}}","key":"{{body.key}}"}}]},
         {"id":"get","method":"GET","path":"/things/{id}","response":{"status":200,"body":"{{item}}"},
          "state":[{"find":"things","where":{"id":"{{path.id}}"},"missing":"gone","foreign":"exists"}]}]
        """#
        let engine = try StatefulVendorFile.engine(StatefulVendorFile.make(collections: #"{"things":{"keys":["id",["@client","key"]],"shared":true}}"#, endpoints: endpoints))
        let (_, body, _) = call(engine, "POST", "/acme/v1/things", body: #"{"key":"k"}"#, client: "owner")
        let id = try #require(try JSONParser.parse(Array(body.utf8))["id"]?.stringValue)
        #expect(call(engine, "POST", "/acme/v1/things", body: #"{"key":"k"}"#, client: "owner").0 == 409)
        #expect(call(engine, "POST", "/acme/v1/things", body: #"{"key":"k"}"#, client: "other").0 == 201)
        #expect(call(engine, "GET", "/acme/v1/things/\(id)", client: "owner").0 == 200)
        #expect(call(engine, "GET", "/acme/v1/things/\(id)", client: "other").0 == 409)
        engine.vendors[0].store.reset(client: "owner")
        #expect(call(engine, "GET", "/acme/v1/things/\(id)", client: "owner").0 == 404)
    }

    @Test func settingsCanBeReplacedAndUnknownOnesAreRefused() throws {
        let endpoints = #"[{"id":"a","method":"GET","path":"/t","response":{"status":200,"body":{"ttl":"{{setting.ttl}}","until":"{{epoch+setting.ttl}}"}}}]"#
        let vendor = try ScenarioLoader.parse(StatefulVendorFile.make(endpoints: endpoints, extra: #","settings":{"ttl":60}"#), file: "acme.json").get()
        let engine = try ScenarioEngine(catalog: ScenarioCatalog(vendors: [vendor]), options: .init(settingOverrides: [SettingOverride(parsing: "acme.ttl=5")!]))
        let body = call(engine, "GET", "/acme/v1/t").1
        #expect(body.hasPrefix(#"{"ttl":5,"until":"#))
        #expect(throws: ScenarioEngine.ConfigurationError.self) {
            try ScenarioEngine(catalog: ScenarioCatalog(vendors: [vendor]), options: .init(settingOverrides: [SettingOverride(vendor: "acme", name: "nope", value: .number("1"))]))
        }
        #expect(SettingOverride(parsing: "acme.flag=true")?.value == .bool(true))
        #expect(SettingOverride(parsing: "acme.code=90502x")?.value == .string("90502x"))
        #expect(SettingOverride(parsing: "no-dot=1") == nil)
    }
}

@Suite struct StateValueTests {
    @Test(arguments: [
        (JSONValue.string("250.50"), JSONValue.string("-100.00"), JSONValue.string("150.50")),
        (.string("50.50"), .string("-100.00"), .string("-49.50")),
        (.number("50"), .string("-2"), .number("48")),
        (.number("0.1"), .number("0.2"), .number("0.3")),
        (.number("7"), .number("1"), .number("8")),
    ])
    func addingKeepsTheDecimalsWritten(_ a: JSONValue, _ b: JSONValue, _ sum: JSONValue) {
        #expect(a.adding(b) == sum)
    }

    @Test func comparisonsAreNumericWhenBothSidesAreNumbers() {
        #expect(StateRunner.holds(.string("50.50"), .lessThan, .string("100.00")))
        #expect(!StateRunner.holds(.string("9"), .greaterThan, .number("10")))
        #expect(StateRunner.holds(.string("2026-01-30T23:59:59Z"), .lessThan, .string("2026-11-21T00:00:00Z")))
        #expect(StateRunner.holds(.bool(true), .equals, .bool(true)))
        #expect(StateRunner.holds(.string("90001"), .equals, .number("90001")))
        #expect(!StateRunner.holds(nil, .equals, .string("x")))
        #expect(StateRunner.holds(nil, .notEquals, .string("x")))
    }

    @Test func hiddenFieldsAreLeftOutOfWholeItems() {
        let item = JSONValue.object([JSONMember(key: "id", value: .string("1")), JSONMember(key: "_key", value: .string("k"))])
        #expect(item.withoutHiddenFields.serializedString == #"{"id":"1"}"#)
    }
}

@Suite struct SharedConflictTests {
    @Test func aConflictWithAnotherClientsItemNeitherShowsNorChangesIt() throws {
        let endpoints = #"""
        [{"id":"create","method":"POST","path":"/things","response":{"status":201,"body":{"thing":"{{item|none}}"}},
          "state":[{"create":"things","item":{"id":"{{body.id}}","name":"{{body.name}}"}},{"set":{"name":"{{body.name}}-changed"}}]},
         {"id":"get","method":"GET","path":"/things/{id}","response":{"status":200,"body":"{{item}}"},
          "state":[{"find":"things","where":{"id":"{{path.id}}"},"missing":"gone","foreign":"gone"}]}]
        """#
        let engine = try StatefulVendorFile.engine(StatefulVendorFile.make(collections: #"{"things":{"keys":["id"],"shared":true}}"#, endpoints: endpoints))
        func post(_ client: String, _ body: String) -> HTTPResponse {
            engine.respond(to: HTTPRequest(method: "POST", target: "/acme/v1/things", headers: ["X-Faultline-Client": client, "Content-Type": "application/json"], body: Array(body.utf8)))
        }
        #expect(post("a", #"{"id":"x","name":"mine"}"#).status == 201)
        let theirs = post("b", #"{"id":"x","name":"theirs"}"#)
        #expect(String(decoding: theirs.body, as: UTF8.self) == #"{"thing":"none"}"#)
        let mine = engine.respond(to: HTTPRequest(method: "GET", target: "/acme/v1/things/x", headers: ["X-Faultline-Client": "a"]))
        #expect(String(decoding: mine.body, as: UTF8.self) == #"{"id":"x","name":"mine-changed"}"#)
    }
}
