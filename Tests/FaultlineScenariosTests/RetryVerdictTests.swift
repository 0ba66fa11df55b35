import Testing
import FaultlineHTTP
@testable import FaultlineScenarios

/// Each retry rule against the bundled vendors' `retry` sections, on a frozen emulation clock:
/// the waits between attempts are clock moves, never sleeps.
@Suite struct RetryVerdictTests: BundledEngineSuite {
    let engine: ScenarioEngine
    let clock = EmulationClock()

    init() throws {
        let (catalog, _) = ScenarioLoader.loadDirectory(Bundled.scenarios)
        clock.freeze()
        engine = try ScenarioEngine(catalog: catalog, clock: clock, environment: { _ in nil })
    }

    /// Sends as `client`, then moves the clock on by `after` seconds.
    @discardableResult
    func attempt(_ client: String, _ method: String, _ target: String, body: String = "", headers: HTTPHeaders = [:], after seconds: Double = 0) -> Int {
        var all: HTTPHeaders = ["Authorization": "Bearer t", "X-Faultline-Client": client, "Content-Type": "application/json"]
        for field in headers { all.add(name: field.name, value: field.value) }
        let status = send(method, target, all, body: body).status
        if seconds > 0 { clock.advance(by: seconds) }
        return status
    }

    func findings(_ client: String) -> [RetryJudge.Finding] {
        engine.verdicts(client: client).verdicts.first?.findings ?? []
    }

    func rules(_ client: String) -> [String] {
        findings(client).map(\.rule.rawValue)
    }

    /// Flex Forward's valid label body with `key` as its idempotency key, or none.
    static func label(key: String?) -> String {
        let rest = String(ValidBodies.label().dropFirst(#"{"idempotencyKey":"key-1","#.count))
        return key.map { #"{"idempotencyKey":"\#($0)","# + rest } ?? "{" + rest
    }

    @Test func comingBackBeforeRetryAfterIsAnErrorAndWaitingItOutIsGood() {
        attempt("eager", "GET", "/generic/api/v1/users?scenario=429", after: 0.5)
        attempt("eager", "GET", "/generic/api/v1/users")
        let finding = findings("eager").first
        #expect(finding?.rule == .ignoredWait)
        #expect(finding?.severity == .error)
        #expect(finding?.message == "came back after 0.5 s when a 429 (RATE_LIMIT_EXCEEDED) said to wait 60 s")
        #expect(finding?.source == #"003: "Check the Retry-After header for guidance on when to resubmit the request.""#)
        #expect(finding?.evidence.map(\.status) == [429, 200])
        #expect(finding?.evidence.first?.wait == 60)

        attempt("patient", "GET", "/generic/api/v1/users?scenario=429", after: 60)
        attempt("patient", "GET", "/generic/api/v1/users")
        #expect(rules("patient") == ["waited-as-told"])
        #expect(engine.verdicts(client: "patient").verdicts.first?.outcome == "pass")
    }

    @Test func retryingAnAnswerTheVendorSaysNotToRetryIsAnErrorAndGivingUpIsGood() {
        attempt("stubborn", "POST", "/flexforward/labels?scenario=validation_failed", body: Self.label(key: "k1"), after: 1)
        attempt("stubborn", "POST", "/flexforward/labels", body: Self.label(key: "k1"))
        #expect(rules("stubborn") == ["retried-non-retryable"])
        #expect(findings("stubborn").first?.source?.hasPrefix(#"002: "400 Validation | No"#) == true)

        // The seed's address-validation courier error is not transient either, whatever its 502.
        attempt("courier", "POST", "/flexforward/labels?scenario=courier_error", body: Self.label(key: "k2"), after: 2)
        attempt("courier", "POST", "/flexforward/labels", body: Self.label(key: "k2"))
        #expect(rules("courier") == ["retried-non-retryable"])

        attempt("sensible", "POST", "/flexforward/labels?scenario=validation_failed", body: Self.label(key: "k3"))
        #expect(rules("sensible") == ["gave-up"])
        #expect(engine.verdicts(client: "sensible").verdicts.first?.outcome == "pass")
    }

    @Test func aRetryAfterA5xxMustCarryTheSameIdempotencyKey() {
        attempt("rekey", "POST", "/flexforward/labels?scenario=internal_error", body: Self.label(key: "first"), after: 1)
        attempt("rekey", "POST", "/flexforward/labels", body: Self.label(key: "second"))
        #expect(rules("rekey") == ["new-key-on-retry"])
        #expect(findings("rekey").first?.message == "retried after a 500 (internal_error) with a new idempotency key (first → second): the vendor may do the work twice")

        attempt("keyless", "POST", "/flexforward/labels?scenario=internal_error", body: Self.label(key: "k"), after: 1)
        attempt("keyless", "POST", "/flexforward/labels", body: Self.label(key: nil))
        #expect(rules("keyless") == ["retry-without-key"])

        attempt("careful", "POST", "/flexforward/labels?scenario=internal_error", body: Self.label(key: "same"), after: 1)
        #expect(attempt("careful", "POST", "/flexforward/labels", body: Self.label(key: "same")) == 201)
        #expect(rules("careful") == ["reused-key"])
    }

    @Test func aRetryAfterABrokenConnectionNeedsTheSameKeyToo() {
        // The create went through and its answer was lost: the case idempotency keys exist for.
        attempt("reset", "POST", "/flexforward/labels?scenario=reset", body: Self.label(key: "lost"), after: 1)
        attempt("reset", "POST", "/flexforward/labels", body: Self.label(key: "fresh"))
        #expect(rules("reset") == ["new-key-on-retry"])
        #expect(findings("reset").first?.message.hasPrefix("retried after a broken connection (reset) with a new idempotency key") == true)
    }

    @Test func aRepeatWhileASlowAnswerIsHeldBackIsARetryAfterATimeout() {
        // ?delay=5000 holds the created label back 5 s: a client with a 1-second timeout sends
        // it again, and must send the same key.
        attempt("timeout", "POST", "/flexforward/labels?delay=5000", body: Self.label(key: "slow-1"), after: 1)
        attempt("timeout", "POST", "/flexforward/labels", body: Self.label(key: "slow-2"))
        #expect(rules("timeout") == ["new-key-on-retry"])
        #expect(findings("timeout").first?.message.hasPrefix("retried after a 201 (default) held back 5 s (as to a client that timed out) with a new idempotency key") == true)

        // After the hold the client had its answer: the same body again is a new request.
        attempt("patient-slow", "POST", "/flexforward/labels?delay=5000", body: Self.label(key: "slow-3"), after: 6)
        attempt("patient-slow", "POST", "/flexforward/labels", body: Self.label(key: "slow-4"))
        #expect(rules("patient-slow").isEmpty)
    }

    @Test func retriesAtIntervalsThatDoNotGrowAreAWarningAndGrowingOnesAreGood() {
        for _ in 0..<4 { attempt("steady", "GET", "/generic/api/v1/users?scenario=500", after: 1) }
        #expect(rules("steady") == ["no-backoff"])
        #expect(findings("steady").first?.severity == .warning)
        #expect(findings("steady").first?.message == "retried 3 times at intervals of 1 s, 1 s, 1 s: the waits must grow (exponential backoff)")

        for wait in [1.0, 2, 4] { attempt("backoff", "GET", "/generic/api/v1/users?scenario=500", after: wait) }
        attempt("backoff", "GET", "/generic/api/v1/users")
        #expect(rules("backoff") == ["backed-off"])
    }

    @Test func aFirstRetrySoonerThanTheVendorsMinimumIsAWarning() throws {
        // No seed names a minimum, so the bundled files ask for none; a vendor file may.
        attempt("hasty", "GET", "/generic/api/v1/users?scenario=500", after: 0.01)
        attempt("hasty", "GET", "/generic/api/v1/users")
        #expect(rules("hasty").isEmpty)

        let (catalog, _) = ScenarioLoader.loadDirectory(Bundled.scenarios)
        var generic = try #require(catalog.vendors.first { $0.name == "generic" })
        generic.retry?.minFirstDelay = 0.5
        let strict = try ScenarioEngine(catalog: ScenarioCatalog(vendors: [generic]), clock: clock, environment: { _ in nil })
        _ = send("GET", "/generic/api/v1/users?scenario=500", ["Authorization": "Bearer t", "X-Faultline-Client": "hasty"], to: strict)
        clock.advance(by: 0.2)
        _ = send("GET", "/generic/api/v1/users", ["Authorization": "Bearer t", "X-Faultline-Client": "hasty"], to: strict)
        #expect(strict.verdicts(client: "hasty").verdicts.first?.findings.map(\.rule.rawValue) == ["retried-immediately"])
    }

    @Test func moreAttemptsOfOneRequestThanTheBudgetIsAnError() {
        for wait in [1.0, 2, 4, 8, 16] { attempt("relentless", "GET", "/generic/api/v1/users?scenario=500", after: wait) }
        attempt("relentless", "GET", "/generic/api/v1/users?scenario=500")
        #expect(rules("relentless") == ["over-budget"])
        #expect(findings("relentless").first?.message == "6 attempts of one request; the budget is 5")
    }

    @Test func requestsThatKeepComingWhileRateLimitedAreAnError() {
        for path in ["/generic/api/v1/users?scenario=429", "/generic/api/v1/users/1?scenario=429", "/generic/api/v1/users/2?scenario=429"] {
            attempt("hammer", "GET", path, after: 0.2)
        }
        #expect(rules("hammer").contains("kept-sending-while-limited"))
        #expect(findings("hammer").first { $0.rule == .keptSendingWhileLimited }?.evidence.count == 3)
    }

    @Test func price2bAnnouncesItsWaitInTheBody() {
        attempt("p2b", "POST", "/price2b/api/v1/shipping/quotes?scenario=RATE_001", body: ValidBodies.quote, after: 5)
        attempt("p2b", "POST", "/price2b/api/v1/shipping/quotes", body: ValidBodies.quote)
        let finding = findings("p2b").first
        #expect(finding?.rule == .ignoredWait)
        #expect(finding?.evidence.first?.wait == 60)
        #expect(finding?.source?.contains("retry_after") == true)
    }

    @Test func aClientThatNeverFailsIsNotJudgedAndResetForgetsTheRest() {
        attempt("fine", "GET", "/generic/api/v1/users")
        #expect(engine.verdicts(client: "fine").verdicts.isEmpty)
        attempt("gone", "GET", "/generic/api/v1/users?scenario=429")
        attempt("gone", "GET", "/generic/api/v1/users")
        #expect(!rules("gone").isEmpty)
        engine.reset(client: "gone")
        #expect(engine.verdicts(client: "gone").verdicts.isEmpty)
    }

    @Test func theAdminEndpointReportsEveryClientAsJSON() throws {
        attempt("json", "GET", "/generic/api/v1/users?scenario=429")
        attempt("json", "GET", "/generic/api/v1/users")
        let response = engine.respond(to: .make("GET", "/__faultline/verdicts?client=json", headers: ["Host": "localhost"]))
        // The engine serves vendor paths only; the admin API is the service's.
        #expect(response.status == 404)
        let service = try ScenarioService(source: .directories([Bundled.scenarios]), options: ScenarioEngine.Options())
        _ = service.respond(to: .make("GET", "/generic/api/v1/users?scenario=429", headers: ["Host": "localhost", "X-Faultline-Client": "json"]))
        _ = service.respond(to: .make("GET", "/generic/api/v1/users", headers: ["Host": "localhost", "X-Faultline-Client": "json"]))
        let report = service.respond(to: .make("GET", "/__faultline/verdicts?client=json", headers: ["Host": "localhost"]))
        let json = try JSONParser.parse(report.body)
        #expect(json["verdict"]?.stringValue == "fail")
        #expect(json["clients"]?[0]?["client"]?.stringValue == "json")
        #expect(json["clients"]?[0]?["findings"]?[0]?["rule"]?.stringValue == "ignored-wait")
        #expect(json["clients"]?[0]?["findings"]?[0]?["evidence"]?[0]?["wait"]?.numberValue == 60)
    }
}
