import Testing
import FaultlineHTTP
import FaultlineScenarios

/// The emulation's clock: frozen, moved and resumed by tests, without waiting on real time.
@Suite struct EmulationClockTests {
    @Test func frozenTimeStandsStillAndAdvancingMovesBothReadings() {
        let clock = EmulationClock()
        clock.freeze()
        let before = clock.now()
        #expect(clock.isFrozen)
        #expect(clock.now().monotonic == before.monotonic)
        #expect(clock.advance(by: 86_400))
        let after = clock.now()
        // Both readings are Double seconds, each rounded to its spacing (2.4e-7 s for wall time
        // near 1.8e9; less for the monotonic one), so their difference may be off by that much
        // (CI read 86400.00000000001 once).
        #expect(abs(after.monotonic - before.monotonic - 86_400) < 1e-6)
        #expect(abs(after.wall - before.wall - 86_400) < 1e-6)
    }

    @Test func resumingContinuesFromWhereItStoodAndResetReturnsToRealTime() {
        let clock = EmulationClock()
        clock.advance(by: 3_600)
        #expect(clock.aheadSeconds >= 3_599.9)
        clock.freeze()
        clock.resume()
        #expect(!clock.isFrozen)
        #expect(clock.aheadSeconds > 3_599 && clock.aheadSeconds <= 3_600)
        clock.reset()
        #expect(abs(clock.aheadSeconds) < 0.001)
    }

    @Test func refusesToGoBackOrPastACentury() {
        let clock = EmulationClock()
        #expect(!clock.advance(by: -1))
        #expect(!clock.advance(by: .infinity))
        #expect(!clock.advance(by: EmulationClock.maxOffsetSeconds + 1))
        #expect(clock.advance(by: EmulationClock.maxOffsetSeconds))
        #expect(!clock.advance(by: 1))
    }

    @Test func aRateLimitRefillsWhenTheClockMovesNotWhenRealTimePasses() throws {
        let clock = EmulationClock()
        clock.freeze()
        let limiter = RateLimiter(clock: clock.now)
        let group = RateLimiter.Group(id: 1, name: "g", limit: 1, window: 60)
        #expect(limiter.take(group, key: "k").allowed)
        let refused = limiter.take(group, key: "k")
        #expect(!refused.allowed)
        #expect(refused.state.retryAfter == 60)
        clock.advance(by: 59)
        #expect(limiter.take(group, key: "k").state.retryAfter == 1)
        clock.advance(by: 1)
        #expect(limiter.take(group, key: "k").allowed)
    }

    // MARK: The admin endpoint

    /// The admin API is the service's: it wraps the engine.
    static func service() throws -> ScenarioService {
        try ScenarioService(source: .directories([Bundled.scenarios]), strict: true)
    }

    static func text(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test(arguments: [("90", 90.0), (#""1500ms""#, 1.5), (#""90s""#, 90), (#""15m""#, 900), (#""24h""#, 86_400), (#""7d""#, 604_800)])
    func advanceTakesSecondsOrANumberWithAUnit(_ written: String, _ seconds: Double) throws {
        let service = try Self.service()
        let frozen = try JSONParser.parse(service.respond(to: .make("POST", "/__faultline/clock", body: #"{"freeze":true}"#)).body)
        let moved = service.respond(to: .make("POST", "/__faultline/clock", body: #"{"advance":\#(written)}"#))
        #expect(moved.status == 200)
        let status = try JSONParser.parse(moved.body)
        #expect(status["frozen"] == .bool(true))
        let epochs = (frozen["epoch"]?.numberValue ?? 0, status["epoch"]?.numberValue ?? 0)
        #expect(abs(epochs.1 - epochs.0 - seconds.rounded(.down)) <= 1, "\(Self.text(moved))")
    }

    @Test(arguments: [#"{}"#, #"{"advance":-5}"#, #"{"advance":"soon"}"#, #"{"advance":"1e300s"}"#, #"{"rewind":"1h"}"#, "not json"])
    func aMalformedClockRequestIs400AndChangesNothing(_ body: String) throws {
        let service = try Self.service()
        let refused = service.respond(to: .make("POST", "/__faultline/clock", body: body))
        #expect(refused.status == 400)
        #expect(Self.text(refused).contains(#""error":"invalid-admin-request""#))
        #expect(abs(service.engine.clock.aheadSeconds) < 0.01)
        #expect(!service.engine.clock.isFrozen)
    }

    @Test func templatesReadTheClockAndAResetOfEveryClientResumesRealTime() throws {
        let service = try Self.service()
        let quote = #"{"origin":{"country":"US"},"destination":{"country":"DE","postal_code":"10115","city":"Berlin"},"packages":[{"weight":1.5,"length":10,"width":10,"height":10}]}"#
        let headers: HTTPHeaders = ["Host": "localhost", "Authorization": "Bearer clock", "Accept": "application/json", "Content-Type": "application/json"]
        let now = try JSONParser.parse(service.respond(to: .make("POST", "/price2b/api/v1/shipping/quotes", headers: headers, body: quote)).body)
        #expect(service.respond(to: .make("POST", "/__faultline/clock", body: #"{"advance":"3650d"}"#)).status == 200)
        let later = try JSONParser.parse(service.respond(to: .make("POST", "/price2b/api/v1/shipping/quotes", headers: headers, body: quote)).body)
        let years = (now["data"]?["valid_until"]?.stringValue?.prefix(4), later["data"]?["valid_until"]?.stringValue?.prefix(4))
        #expect(years.0.flatMap { Int($0) }.map { $0 + 10 } == years.1.flatMap { Int($0) }, "\(years)")
        #expect(service.respond(to: .make("POST", "/__faultline/reset?client=someone")).status == 200)
        #expect(service.engine.clock.aheadSeconds > 3_000 * 86_400)
        #expect(service.respond(to: .make("POST", "/__faultline/reset")).status == 200)
        #expect(abs(service.engine.clock.aheadSeconds) < 0.01)
        let shown = service.respond(to: .make("GET", "/__faultline/clock"))
        #expect(Self.text(shown).hasPrefix(#"{"frozen":false,"aheadSeconds":0,"now":""#))
    }
}
