import Testing
import FaultlineHTTP
@testable import FaultlineScenarios

@Suite struct FaultSpecTests {
    @Test func delaysParseInTheirThreeForms() {
        #expect(DelaySpec(parsing: "1500") == .fixed(milliseconds: 1500))
        #expect(DelaySpec(parsing: "500-1500") == .uniform(low: 500, high: 1500))
        #expect(DelaySpec(parsing: "lognormal:300:0.8") == .logNormal(median: 300, sigma: 0.8))
        for bad in ["-5", "1500-500", "lognormal:0:1", "soon", "lognormal:300", ""] {
            #expect(DelaySpec(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func drawnDelaysStayInRangeAndReplayWithTheSeed() {
        let a = SeededRandom(seed: 9), b = SeededRandom(seed: 9)
        let range = DelaySpec.uniform(low: 100, high: 200)
        for _ in 0..<100 {
            let x = range.seconds(a)
            #expect(x >= 0.1 && x < 0.2)
            #expect(x == range.seconds(b))
        }
        let tail = (0..<2_000).map { _ in DelaySpec.logNormal(median: 300, sigma: 0.8).seconds(a) }.sorted()
        #expect(abs(tail[1_000] - 0.3) < 0.05, "median \(tail[1_000])")
        #expect(tail[1_980] > 0.9, "p99 \(tail[1_980])")
    }

    @Test func chaosRulesParseWithStickyVendorPrefixes() {
        #expect(ChaosRule.parse("aftership:429@0.1,reset@0.02,trackbot:500@0.5") == [
            ChaosRule(vendor: "aftership", scenario: "429", probability: 0.1),
            ChaosRule(vendor: "aftership", scenario: "reset", probability: 0.02),
            ChaosRule(vendor: "trackbot", scenario: "500", probability: 0.5),
        ])
        #expect(ChaosRule.parse("503@0.2") == [ChaosRule(vendor: nil, scenario: "503", probability: 0.2)])
        for bad in ["429", "429@2", "@0.1", ""] { #expect(ChaosRule.parse(bad) == nil, "\(bad)") }
    }

    @Test func filesDeclareDelaysAndFaultsOnResponses() throws {
        let good = VendorFile.make(errors: #"{"slow":{"status":200,"delay":"100-200"},"cut":{"status":200,"fault":"close_mid_body","body":{"a":1}}}"#)
        let vendor = try ScenarioLoader.parse(good, file: "acme.json").get()
        #expect(vendor.errors.map(\.response.delay) == [.uniform(low: 100, high: 200), nil])
        #expect(vendor.errors.map(\.response.fault) == [nil, .closeMidBody])
        let engine = try ScenarioEngine(catalog: ScenarioCatalog(vendors: [vendor]))
        let cut = engine.respond(to: .make("GET", "/acme/v1/things/1?scenario=cut"))
        #expect(cut.delivery?.fault == .closeMidBody)
        let slow = engine.respond(to: .make("GET", "/acme/v1/things/1?scenario=slow"))
        #expect((0.1..<0.2).contains(slow.delivery?.delay ?? 0))
        let asked = engine.respond(to: .make("GET", "/acme/v1/things/1?delay=250&dribble=8:20"))
        #expect(asked.delivery?.delay == 0.25 && asked.delivery?.dribble?.bytes == 8)

        for (bytes, message) in [
            (VendorFile.make(errors: #"{"x":{"status":200,"fault":"explode"}}"#), "unknown fault 'explode'"),
            (VendorFile.make(errors: #"{"x":{"status":200,"delay":"soon"}}"#), "expected milliseconds"),
        ] {
            guard case .failure(let failure) = ScenarioLoader.parse(bytes, file: "acme.json") else { Issue.record("accepted"); continue }
            #expect(failure.diagnostics.contains { $0.message.contains(message) }, "\(failure.diagnostics)")
        }
    }
}

@Suite struct ChaosInFilesTests {
    @Test func aFileCanDeclareChaosAndTheSeedReplaysIt() throws {
        let bytes = VendorFile.make(extra: #","chaos":"401@0.5""#)
        let vendor = try ScenarioLoader.parse(bytes, file: "acme.json").get()
        #expect(vendor.chaos == [ChaosRule(vendor: "acme", scenario: "401", probability: 0.5)])
        func statuses(seed: UInt64) throws -> [Int] {
            var options = ScenarioEngine.Options()
            options.seed = seed
            let engine = try ScenarioEngine(catalog: ScenarioCatalog(vendors: [vendor]), options: options)
            return (0..<30).map { _ in engine.respond(to: .make("GET", "/acme/v1/things/1")).status }
        }
        let first = try statuses(seed: 5)
        #expect(Set(first) == [200, 401])
        #expect(try statuses(seed: 5) == first)
    }

    @Test(arguments: [#""401@1.5""#, #""acme:401@0.5""#, #""401@0.6,404@0.6""#, "[1]"])
    func rejectsMalformedChaos(_ value: String) {
        guard case .failure(let failure) = ScenarioLoader.parse(VendorFile.make(extra: #","chaos":\#(value)"#), file: "acme.json") else {
            Issue.record("accepted \(value)")
            return
        }
        #expect(failure.diagnostics.contains { $0.path == "$.chaos" }, "\(failure.diagnostics)")
    }
}
