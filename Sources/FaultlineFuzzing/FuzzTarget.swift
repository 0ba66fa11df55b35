/// The fuzz targets: each takes arbitrary bytes and drives one part of Faultline with them,
/// checking what must hold for any input (`Invariants`). A broken invariant, like a runtime
/// trap, stops the process: libFuzzer (`faultline-fuzz`) reports it with the input, and the
/// test suite replays every committed input (`Fuzz/corpus`, `Fuzz/regressions`) the same way.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// HTTP/1.1 request parsing, fed in pieces of every size, then request-body decoding.
    case httpParser = "http-parser"
    /// Requests to every endpoint of the bundled vendors: query strings (`scenario`,
    /// sequences, `delay`, `dribble`, page and limit), headers and bodies.
    case request
    /// The admin API's JSON inputs: stored items, sticky scenarios, reset, journal queries.
    case admin
    /// A placeholder template in a body, a header and a stored item, rendered against a request.
    case template
    /// A whole scenario file: loaded, validated, compiled and asked for each of its responses.
    case scenarioFile = "scenario-file"
    /// Command-line and file specs: chaos rules, delays, rate limits, settings.
    case specs
    /// Validation patterns against subjects, checked against the standard library's `Regex`.
    case pattern

    public func run(_ bytes: [UInt8]) {
        switch self {
        case .httpParser: HTTPParserTarget.run(bytes)
        case .request: EngineTargets.request(bytes)
        case .admin: EngineTargets.admin(bytes)
        case .template: FileTargets.template(bytes)
        case .scenarioFile: FileTargets.scenarioFile(bytes)
        case .specs: SpecTargets.run(bytes)
        case .pattern: PatternTarget.run(bytes)
        }
    }
}

/// Splits a fuzz input into fields at `0x00` bytes, so one input can carry a query, header
/// values and a body; missing fields are empty.
struct FuzzFields {
    private var fields: [ArraySlice<UInt8>]
    private var next = 0

    init(_ bytes: ArraySlice<UInt8>) {
        fields = bytes.split(separator: 0, maxSplits: 15, omittingEmptySubsequences: false)
    }

    mutating func bytes() -> [UInt8] {
        defer { next += 1 }
        return next < fields.count ? Array(fields[next]) : []
    }

    mutating func text() -> String {
        String(decoding: bytes(), as: UTF8.self)
    }
}
