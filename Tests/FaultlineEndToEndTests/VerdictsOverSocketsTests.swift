#if canImport(Glibc)
import Glibc
#endif
import Testing
import FaultlineHTTP
import FaultlineTesting
import FaultlineScenarios

/// Retry verdicts where users meet them: the testing library's assertion, the admin endpoint
/// over a socket, and `faultline verdicts` as a CI step.
@Suite struct VerdictsOverSocketsTests {
    /// `eager` retries a 429 at once; `patient` gives up on a 400.
    static func misbehave(on server: TestServer) throws {
        let client = try server.client()
        _ = try client.request("GET", "/generic/api/v1/users?scenario=429", headers: [("X-Faultline-Client", "eager")])
        _ = try client.request("GET", "/generic/api/v1/users", headers: [("X-Faultline-Client", "eager")])
        _ = try client.request("GET", "/generic/api/v1/users?scenario=400", headers: [("X-Faultline-Client", "patient")])
    }

    @Test func theTestingLibraryFailsATestWhoseClientIgnoredRetryAfter() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        try Self.misbehave(on: server)
        let violations = #expect(throws: RetryViolations.self) { try server.requireGoodRetries(client: "eager") }
        #expect(violations?.report.contains("ignored-wait  generic.listUsers: came back after") == true)
        #expect(violations?.report.contains("said to wait 60 s") == true)
        try server.requireGoodRetries(client: "patient")
        #expect(server.verdicts(client: "patient").first?.findings.map(\.rule.rawValue) == ["gave-up"])
    }

    @Test func theAdminEndpointAnswersWithEveryClientsVerdict() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        try Self.misbehave(on: server)
        let response = try server.client().request("GET", "/__faultline/verdicts")
        #expect(response.status == 200)
        let json = try response.json(at: [])
        #expect(json["verdict"]?.stringValue == "fail")
        #expect(json["clients"]?[0]?["client"]?.stringValue == "eager")
        #expect(json["clients"]?[0]?["verdict"]?.stringValue == "fail")
        #expect(json["clients"]?[1]?["verdict"]?.stringValue == "pass")
        _ = try server.client().request("POST", "/__faultline/reset")
        #expect(try server.client().request("GET", "/__faultline/verdicts").json(at: ["clients"]) == .array([]))
    }

    @Test func theVerdictsCommandFailsACIStepAndWritesJUnit() throws {
        guard CommandLineTests.binaryIsBuilt() else { return }
        let server = try TestServer.start()
        defer { server.stop() }
        try Self.misbehave(on: server)
        let directory = try TemporaryDirectory()
        let junit = directory.path + "/verdicts.xml"
        let command = "'\(CommandLineTests.binary)' verdicts --url http://127.0.0.1:\(server.port)"
        #expect(CommandLineTests.shell("\(command) --junit '\(junit)' > '\(directory.path)/out'") == 1)
        let xml = TemporaryDirectory.text(of: junit)
        #expect(xml.contains(#"<testsuite name="retries of client eager" tests="1" failures="1">"#))
        #expect(xml.contains(#"<failure type="error" message="ignored-wait: came back after"#))
        #expect(TemporaryDirectory.text(of: directory.path + "/out").hasPrefix("client eager: FAIL (1 error, 0 warnings)\n"))
        #expect(CommandLineTests.shell("\(command) --client patient > /dev/null") == 0)
        #expect(CommandLineTests.shell("'\(CommandLineTests.binary)' verdicts --url http://127.0.0.1:1 --timeout 1 2> /dev/null") == 2)
    }
}
