#if canImport(Glibc)
import Glibc
#endif
import Testing
import FaultlineHTTP
import FaultlineTesting
@testable import FaultlineScenarios

/// Numbers from requests, stored items and files: range-checked when parsed, saturating when
/// used, never a trap (issue 11).
@Suite struct RangeCheckTests {
    @Test func delaysAreRangeChecked() {
        #expect(DelaySpec(parsing: "86400000") == .fixed(milliseconds: 86_400_000))
        for bad in ["86400001", "1e300", "nan", "inf", "-0.5", "0-1e300", "lognormal:1e300:1", "lognormal:300:11", "lognormal:300:nan", "lognormal:300:0.8:1"] {
            guard case .failure(let error) = DelaySpec.parse(bad) else {
                Issue.record("'\(bad)' parsed")
                continue
            }
            #expect(error.description.hasPrefix("'\(bad)' is not a delay"))
        }
    }

    @Test func slowBodiesAreRangeChecked() {
        #expect(DribbleSpec(parsing: "1048576:86400000") != nil)
        for bad in ["9223372036854775807:1", "1:1e13", "0:10", "1048577:1", "16:-1", "16:nan", "16", "16:1:1", ":", "99999999999999999999:1"] {
            #expect(DribbleSpec(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func aLongTailDelayNeverReturnsInfinity() {
        let random = SeededRandom(seed: 1)
        for _ in 0..<1_000 {
            let seconds = DelaySpec.logNormal(median: 86_400_000, sigma: 10).seconds(random)
            #expect(seconds.isFinite && seconds <= 86_400)
        }
    }

    @Test func wholeNumbersClampInsteadOfTrapping() {
        #expect(9.3e18.clampedInt(1...Int.max) == Int.max)
        #expect(Double.infinity.clampedInt(1...Int.max) == Int.max)
        #expect((-Double.infinity).clampedInt(1...Int.max) == 1)
        #expect(Double.nan.clampedInt(1...Int.max) == nil)
        #expect(2.9.clampedInt(1...Int.max) == 2)
        #expect(9.2e18.clampedInt(1...Int.max) == 9_200_000_000_000_000_000)
    }

    @Test func sumsOfAnySizeFormatAsJSONNumbers() throws {
        #expect(JSONValue.number("1e300").adding(.number("-2")) == .number("1e+300"))
        #expect(JSONValue.string("150.50").adding(.string("-100.00")) == .string("50.50"))
        #expect(JSONValue.number("9007199254740993").adding(.number("0")) == .number("9007199254740992"))
        #expect(JSONValue.number("1e308").adding(.number("1e308")) == nil)
        #expect(JSONValue.number("1e400").adding(.number("1")) == nil)
        #expect(JSONValue.format(-0.004, decimals: 2) == "0.00")
        #expect(JSONValue.format(-1.5, decimals: 0) == "-2")
        for value in [1e300, -1e300, 1e15, 123456789.123456789] {
            let text = JSONValue.format(value, decimals: 12)
            #expect(JSONValue.isNumberLiteral(text), "\(text)")
        }
    }

    @Test func timesStayBetweenYearOneAndNineThousandNineHundredNinetyNine() {
        #expect(Timestamps.shifted(1_000, by: 1e300) == Timestamps.range.upperBound)
        #expect(Timestamps.shifted(1_000, by: -1e300) == Timestamps.range.lowerBound)
        #expect(Timestamps.shifted(1_000, by: .nan) == 1_000)
        #expect(Timestamps.iso8601(Timestamps.range.upperBound) == "9999-12-31T23:59:59Z")
        #expect(Timestamps.iso8601(Timestamps.range.lowerBound) == "0001-01-01T00:00:00Z")
    }

    @Test func aTimeOffsetPastAHundredYearsIsRefusedAtLoad() {
        for text in ["{{now+9223372036854775807}}", "{{epoch-9223372036854775808}}", "{{now+3155760001}}"] {
            guard case .failure(let error) = TemplateString.parse(text) else {
                Issue.record("\(text) parsed")
                continue
            }
            #expect(error.message.contains("from -3155760000 to 3155760000"), "\(error.message)")
        }
        #expect((try? TemplateString.parse("{{now+3155760000}}").get()) != nil)
    }

    @Test func aSettingOfAnySizeRendersAFourDigitYear() throws {
        let file = VendorFile.make(
            errors: #"{"quote":{"status":200,"body":{"until":"{{now+setting.validity}}","epoch":"{{epoch+setting.validity}}"}}}"#,
            extra: #","settings":{"validity":900}"#)
        let vendor = try ScenarioLoader.parse(file, file: "acme.json").get()
        let engine = try ScenarioEngine(catalog: ScenarioCatalog(vendors: [vendor]), options: .init(settingOverrides: [SettingOverride(vendor: "acme", name: "validity", value: .number("1e300"))]))
        let response = engine.respond(to: HTTPRequest(method: "GET", target: "/acme/v1/things/1?scenario=quote"))
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"until":"9999-12-31T23:59:59Z","epoch":253402300799}"#)
    }

    @Test func stepsMissingTheirRequiredPartsAreReportedNotTrapped() {
        for (step, key) in [(#"{"create":"c"}"#, "item"), (#"{"forEach":"{{body.a}}"}"#, "do")] {
            let text = #"{"vendor":"x","basePaths":[""],"endpoints":[{"id":"a","method":"POST","path":"/a","response":{"status":201},"state":[\#(step)]}],"collections":{"c":{"keys":["id"]}}}"#
            guard case .failure(let errors) = ScenarioLoader.parse(Array(text.utf8), file: "x.json") else {
                Issue.record("\(step) loaded")
                continue
            }
            #expect(errors.diagnostics.map(\.description) == ["x.json: $.endpoints[0].state[0]: missing required key '\(key)'"])
        }
    }

    @Test func specialFilesAreRefusedWithoutBeingRead() throws {
        let directory = try TemporaryDirectory()
        try directory.write("good.json", String(decoding: VendorFile.make(errors: #"{"ok":{"status":200}}"#), as: UTF8.self))
        #expect(mkfifo(directory.path + "/fifo.json", 0o644) == 0)
        #expect(symlink("/dev/zero", directory.path + "/zero.json") == 0)
        try directory.write("secret.txt", "s3cret")
        #expect(symlink(directory.path + "/secret.txt", directory.path + "/link.json") == 0)
        let (catalog, diagnostics) = ScenarioLoader.loadDirectory(directory.path)
        #expect(catalog.vendors.map(\.name) == ["acme"])
        #expect(diagnostics.map(\.description) == [
            "fifo.json: $: cannot read \(directory.path)/fifo.json: it is a FIFO (named pipe), not a regular file",
            "link.json: $: invalid JSON at line 1, column 1 (the file is a symbolic link; its text is not shown)",
            "zero.json: $: cannot read \(directory.path)/zero.json: it is a character device, not a regular file",
        ])
    }

    @Test func aFileOverTheSizeLimitIsRefused() throws {
        let directory = try TemporaryDirectory()
        try directory.write("big.json", [UInt8](repeating: 0x20, count: 64))
        #expect(throws: FileSystem.TooLarge.self) { try FileSystem.readFile(directory.path + "/big.json", limit: 63) }
        #expect(try FileSystem.readFile(directory.path + "/big.json", limit: 64).count == 64)
    }

    @Test func parseErrorsNameBytesNotRawCharacters() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x00]) }
        do {
            _ = try JSONParser.parse([0x00])
        } catch {
            #expect(error.message == "unexpected byte 0x00")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aFilePairingTooManyEndpointsWithCatalogEntriesIsRefusedBeforeItIsBuilt() {
        let endpoints = (0..<1_001).map { #"{"id":"e\#($0)","method":"GET","path":"/e\#($0)","response":{"status":200}}"# }.joined(separator: ",")
        let errors = (0..<1_000).map { #""x\#($0)":{"status":400}"# }.joined(separator: ",")
        let file = VendorFile.make(endpoints: "[" + endpoints + "]", errors: "{" + errors + "}")
        guard case .failure(let failure) = ScenarioLoader.parse(file, file: "acme.json") else {
            Issue.record("loaded")
            return
        }
        #expect(failure.diagnostics.map(\.description) == ["acme.json: $.endpoints: 1001 endpoints with 1000 catalog entries and 1 base paths make 1001000 combinations; at most 1000000"])
    }
}
