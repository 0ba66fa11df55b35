#if canImport(Glibc)
import Glibc
#endif
import FaultlineHTTP
import Synchronization

/// How long to wait before a response: fixed, uniform in a range, or long-tailed.
///
/// Written `1500` (ms), `500-1500` (uniform), or `lognormal:300:0.8` (median 300 ms, sigma 0.8:
/// most answers near the median, a few far slower, like a real backend). Every number is
/// range-checked: milliseconds from 0 to `maxMilliseconds`, sigma from 0 to `maxSigma`.
public enum DelaySpec: Sendable, Equatable {
    case fixed(milliseconds: Double)
    case uniform(low: Double, high: Double)
    case logNormal(median: Double, sigma: Double)

    /// One day. The server cuts every hold to `--max-hold` anyway; past this a value is a mistake.
    public static let maxMilliseconds: Double = 86_400_000
    public static let maxSigma: Double = 10

    public init?(parsing text: String) {
        guard case .success(let spec) = Self.parse(text) else { return nil }
        self = spec
    }

    /// The spec, or what is wrong with `text` in words that name the allowed forms and ranges.
    public static func parse(_ text: String) -> Result<DelaySpec, ParameterError> {
        let trimmed = text.trimmingWhitespace()
        let usage = "write milliseconds (1500), a range (500-1500) or lognormal:MEDIAN:SIGMA (lognormal:300:0.8), each from 0 to \(Int(maxMilliseconds)) ms"
        if trimmed.hasPrefix("lognormal:") {
            let parts = trimmed.dropFirst("lognormal:".count).split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let median = Self.milliseconds(parts[0]), median > 0, let sigma = Double(parts[1]), sigma >= 0, sigma <= maxSigma else {
                return .failure(ParameterError("'\(text)' is not a delay: lognormal takes a median above 0 and at most \(Int(maxMilliseconds)) ms and a sigma from 0 to \(Int(maxSigma))"))
            }
            return .success(.logNormal(median: median, sigma: sigma))
        }
        if let value = Self.milliseconds(trimmed) { return .success(.fixed(milliseconds: value)) }
        let range = trimmed.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard range.count == 2, let low = Self.milliseconds(range[0]), let high = Self.milliseconds(range[1]), high >= low else {
            return .failure(ParameterError("'\(text)' is not a delay: \(usage)"))
        }
        return .success(.uniform(low: low, high: high))
    }

    /// Milliseconds from 0 to `maxMilliseconds` (NaN and infinities are not numbers here).
    private static func milliseconds<S: StringProtocol>(_ text: S) -> Double? {
        guard let value = Double(String(text)), value >= 0, value <= maxMilliseconds else { return nil }
        return value
    }

    /// Seconds to wait, drawn from `random`.
    func seconds(_ random: SeededRandom) -> Double {
        switch self {
        case .fixed(let ms):
            return ms / 1000
        case .uniform(let low, let high):
            return (low + (high - low) * random.unit()) / 1000
        case .logNormal(let median, let sigma):
            // Box–Muller: a standard normal from two uniforms.
            let u1 = max(random.unit(), .leastNonzeroMagnitude)
            let u2 = random.unit()
            let normal = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
            // exp can overflow to infinity for a large sigma: the hold is cut to --max-hold anyway.
            return min(median * exp(sigma * normal), Self.maxMilliseconds) / 1000
        }
    }
}

/// `16:100`: 16 bytes of body every 100 ms. Bytes from 1 to `maxBytes`, the interval from 0 to
/// `DelaySpec.maxMilliseconds`; the whole slow body, like any hold, ends within `--max-hold`.
struct DribbleSpec: Equatable {
    static let maxBytes = 1_048_576

    var bytes: Int
    var interval: Double

    init?(parsing text: String) {
        guard case .success(let spec) = Self.parse(text) else { return nil }
        self = spec
    }

    private init(bytes: Int, interval: Double) {
        self.bytes = bytes
        self.interval = interval
    }

    static func parse(_ text: String) -> Result<DribbleSpec, ParameterError> {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let bytes = Int(parts[0]), bytes >= 1, bytes <= maxBytes,
              let ms = Double(parts[1]), ms >= 0, ms <= DelaySpec.maxMilliseconds else {
            return .failure(ParameterError("'\(text)' is not a slow body: write BYTES:MILLISECONDS (16:100), bytes from 1 to \(maxBytes), milliseconds from 0 to \(Int(DelaySpec.maxMilliseconds))"))
        }
        return .success(DribbleSpec(bytes: bytes, interval: ms / 1000))
    }
}

/// What is wrong with a value a request or a setting gave, in words for the person who wrote it.
public struct ParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A random source that replays: the same seed and the same order of draws give the same
/// numbers (SplitMix64), so a chaos run that found a bug can be run again.
public final class SeededRandom: Sendable {
    public let seed: UInt64
    private let state: Mutex<UInt64>

    public init(seed: UInt64) {
        self.seed = seed
        state = Mutex(seed)
    }

    public func next() -> UInt64 {
        state.withLock { state in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Uniform in [0, 1).
    func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }

    /// A seed from the clock, for runs that name none.
    public static func freshSeed() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_007 &+ UInt64(ts.tv_nsec)
    }
}

/// `--chaos 'aftership:429@0.1,reset@0.02,503@0.05'`: outcomes injected with a probability
/// into requests that name no scenario. A `vendor:` prefix applies to the rule it starts and
/// to the rules after it, until the next prefix; rules before any prefix apply to every vendor.
public struct ChaosRule: Sendable, Equatable {
    public var vendor: String?
    public var scenario: String
    public var probability: Double

    public init(vendor: String?, scenario: String, probability: Double) {
        self.vendor = vendor
        self.scenario = scenario
        self.probability = probability
    }

    public static func parse(_ text: String) -> [ChaosRule]? {
        var rules: [ChaosRule] = []
        var vendor: String?
        for item in text.split(separator: ",") {
            var rest = item.trimmingWhitespace()
            if let colon = rest.firstIndex(of: ":") {
                vendor = String(rest[..<colon])
                rest = rest[rest.index(after: colon)...]
            }
            let parts = rest.split(separator: "@")
            guard parts.count == 2, !parts[0].isEmpty, let p = Double(parts[1]), p >= 0, p <= 1 else { return nil }
            rules.append(ChaosRule(vendor: vendor, scenario: String(parts[0]), probability: p))
        }
        return rules.isEmpty ? nil : rules
    }
}

/// Scenarios every endpoint of every vendor offers besides its own: broken connections and
/// the HTML errors a load balancer in front of the vendor answers with.
enum BuiltinScenarios {
    static let faults: [String: ResponseFault] = Dictionary(uniqueKeysWithValues: ResponseFault.allCases.map { ($0.rawValue, $0) })

    /// nginx's own error pages, as a gateway in front of an API sends them.
    static func gateway(_ name: String) -> LabeledResponse? {
        let status: Int
        let title: String
        switch name {
        case "gateway_502": (status, title) = (502, "502 Bad Gateway")
        case "gateway_503": (status, title) = (503, "503 Service Temporarily Unavailable")
        case "gateway_504": (status, title) = (504, "504 Gateway Time-out")
        default: return nil
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/html")
        headers.add(name: "Server", value: "nginx")
        if status == 503 { headers.add(name: "Retry-After", value: "30") }
        let body = "<html>\r\n<head><title>\(title)</title></head>\r\n<body>\r\n<center><h1>\(title)</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        return LabeledResponse(status: status, headers: headers, body: Array(body.utf8), label: name)
    }
}
