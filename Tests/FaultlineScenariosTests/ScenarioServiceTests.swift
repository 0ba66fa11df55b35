import Testing
import Synchronization
import FaultlineHTTP
import FaultlineScenarios
import FaultlineTesting

/// Reloading scenario files without a socket: what a reload changes, what it keeps, and what a
/// broken file does (nothing, but say so).
@Suite struct ScenarioServiceTests {
    static func get(_ service: ScenarioService, _ target: String, headers: HTTPHeaders = [:], method: String = "GET", body: String = "") -> HTTPResponse {
        service.respond(to: HTTPRequest(method: method, target: target, headers: headers, body: Array(body.utf8)))
    }

    static func acme(says word: String) -> [UInt8] {
        VendorFile.make(endpoints: #"[{"id":"getThing","method":"GET","path":"/things/{id}","response":{"status":200,"body":{"word":"\#(word)"}}}]"#)
    }

    @Test func aReloadServesTheChangedFile() throws {
        let directory = try TemporaryDirectory()
        try directory.write("acme.json", Self.acme(says: "before"))
        let service = try ScenarioService(source: .directories([directory.path]), strict: true)
        #expect(Self.get(service, "/acme/v1/things/1").body == Array(#"{"word":"before"}"#.utf8))
        try directory.write("acme.json", Self.acme(says: "after"))
        let status = service.reload()
        #expect(status.succeeded)
        #expect(status.vendors == ["acme"])
        #expect(Self.get(service, "/acme/v1/things/1").body == Array(#"{"word":"after"}"#.utf8))
    }

    @Test func aBrokenFileKeepsThePreviousScenariosAndIsReported() throws {
        let directory = try TemporaryDirectory()
        try directory.write("acme.json", Self.acme(says: "good"))
        let logged = Mutex<[String]>([])
        let service = try ScenarioService(source: .directories([directory.path]), strict: true, log: { line in logged.withLock { $0.append(line) } })
        try directory.write("acme.json", #"{"vendor":"acme","basePaths":["/v1"],"endpoints":[{"id":"x","method":"GET","path":"/t","response":{"status":"200"}}]}"#)
        let status = service.reload()
        #expect(!status.succeeded)
        #expect(status.diagnostics.map(\.description) == ["acme.json: $.endpoints[0].response.status: expected an integer HTTP status from 200 to 599"])
        #expect(status.vendors == ["acme"])
        #expect(service.lastReload.succeeded == false)
        #expect(logged.withLock { $0 } == ["faultline: reload (api) failed; still serving the previous scenarios:\n  acme.json: $.endpoints[0].response.status: expected an integer HTTP status from 200 to 599"])
        #expect(Self.get(service, "/acme/v1/things/1").body == Array(#"{"word":"good"}"#.utf8))
    }

    @Test func aReloadThatBreaksACommandLineOverrideIsRefused() throws {
        let directory = try TemporaryDirectory()
        try directory.copyFiles(from: TestServer.bundledScenariosDirectory)
        var options = ScenarioEngine.Options()
        options.rateLimitOverrides = [try #require(RateLimitOverride(parsing: "trackbot=1/60s"))]
        let service = try ScenarioService(source: .directories([directory.path]), options: options, strict: true)
        directory.remove("trackbot.json")
        let status = service.reload()
        #expect(!status.succeeded)
        #expect(status.diagnostics.map(\.message) == ["--rate-limit: no vendor named 'trackbot'"])
        #expect(service.engine.catalog.vendors.map(\.name).contains("trackbot"))
    }

    @Test func storedItemsRateLimitsAndTheJournalSurviveAReload() throws {
        let directory = try TemporaryDirectory()
        try directory.copyFiles(from: TestServer.bundledScenariosDirectory)
        var options = ScenarioEngine.Options()
        options.rateLimitOverrides = [try #require(RateLimitOverride(parsing: "trackbot=2/60s"))]
        let service = try ScenarioService(source: .directories([directory.path]), options: options, strict: true)
        let aftership: HTTPHeaders = ["aftership-api-key": "k", "Content-Type": "application/json"]
        let create = #"{"tracking":{"slug":"dpd-de","tracking_number":"RL000001"}}"#
        #expect(Self.get(service, "/aftership/v4/trackings", headers: aftership, method: "POST", body: create).status == 201)
        let trackbot: HTTPHeaders = ["Authorization": "Bearer r"]
        #expect(Self.get(service, "/trackbot/v1/shipments", headers: trackbot).status == 200)
        #expect(Self.get(service, "/trackbot/v1/shipments", headers: trackbot).status == 200)

        // An unrelated change: a vendor file gone, the others rewritten as they were.
        directory.remove("generic.json")
        #expect(service.reload().succeeded)
        #expect(!service.engine.catalog.vendors.map(\.name).contains("generic"))

        let again = Self.get(service, "/aftership/v4/trackings", headers: aftership, method: "POST", body: create)
        #expect(again.status == 400)
        #expect(String(decoding: again.body, as: UTF8.self).hasPrefix(#"{"meta":{"code":4003"#))
        #expect(Self.get(service, "/trackbot/v1/shipments", headers: trackbot).status == 429)
        #expect(service.engine.journal.entries().count == 5)
    }

    @Test func aChangedCollectionDeclarationStartsThatCollectionAfresh() throws {
        let directory = try TemporaryDirectory()
        let endpoints = #"[{"id":"make","method":"POST","path":"/things","response":{"status":201,"body":{"made":true}},"state":[{"create":"things","item":{"id":"{{body.id}}","name":"{{body.id}}"},"conflict":"409"}]}]"#
        let errors = #"{"409":{"status":409,"body":{"made":false}}}"#
        try directory.write("acme.json", VendorFile.make(endpoints: endpoints, errors: errors, extra: #","collections":{"things":{"keys":["id"]}}"#))
        let service = try ScenarioService(source: .directories([directory.path]), strict: true)
        let body = #"{"id":"a"}"#
        #expect(Self.get(service, "/acme/v1/things", method: "POST", body: body).status == 201)
        #expect(Self.get(service, "/acme/v1/things", method: "POST", body: body).status == 409)
        // Same keys: items kept.
        #expect(service.reload().succeeded)
        #expect(Self.get(service, "/acme/v1/things", method: "POST", body: body).status == 409)
        // Other keys: that collection starts empty.
        try directory.write("acme.json", VendorFile.make(endpoints: endpoints, errors: errors, extra: #","collections":{"things":{"keys":["id","name"]}}"#))
        #expect(service.reload().succeeded)
        #expect(Self.get(service, "/acme/v1/things", method: "POST", body: body).status == 201)
    }

    @Test func aLaterDirectoryReplacesAVendorOfTheSameName() throws {
        let mine = try TemporaryDirectory()
        try mine.write("mine.json", Self.acme(says: "mine"))
        let theirs = try TemporaryDirectory()
        try theirs.write("acme.json", Self.acme(says: "theirs"))
        try theirs.write("other.json", VendorFile.make(vendor: "other"))
        let service = try ScenarioService(source: .directories([theirs.path, mine.path]), strict: true)
        #expect(service.engine.catalog.vendors.map(\.name) == ["acme", "other"])
        #expect(Self.get(service, "/acme/v1/things/1").body == Array(#"{"word":"mine"}"#.utf8))
    }

    @Test func inlineFilesServeBesideOrInsteadOfDirectories() throws {
        let theirs = try TemporaryDirectory()
        try theirs.write("acme.json", Self.acme(says: "file"))
        let inline = ScenarioService.InlineFile(name: "acme.json", contents: Self.acme(says: "inline"))
        let combined = try ScenarioService(source: .combined(directories: [theirs.path], files: [inline]), strict: true)
        #expect(Self.get(combined, "/acme/v1/things/1").body == Array(#"{"word":"inline"}"#.utf8))
        let broken = ScenarioService.InlineFile(name: "bad.json", json: "{")
        #expect(throws: ScenarioService.LoadError.self) { try ScenarioService(source: .files([broken]), strict: true) }
    }
}
