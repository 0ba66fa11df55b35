import FaultlineScenarios

/// The small languages of the command line and the files: each parser takes any text, and
/// what it accepts it accepts in range.
enum SpecTargets {
    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let rules = ChaosRule.parse(text) {
            for rule in rules { precondition(rule.probability >= 0 && rule.probability <= 1 && !rule.scenario.isEmpty, "chaos \(text)") }
        }
        if case .success(let delay) = DelaySpec.parse(text) {
            switch delay {
            case .fixed(let ms): precondition(ms >= 0 && ms <= DelaySpec.maxMilliseconds)
            case .uniform(let low, let high): precondition(low >= 0 && high >= low && high <= DelaySpec.maxMilliseconds)
            case .logNormal(let median, let sigma): precondition(median > 0 && median <= DelaySpec.maxMilliseconds && sigma >= 0 && sigma <= DelaySpec.maxSigma)
            }
        }
        if let limit = RateLimitOverride(parsing: text) {
            precondition(limit.limit > 0 && limit.window > 0 && limit.window.isFinite, "rate limit \(text)")
        }
        _ = SettingOverride(parsing: text)
    }
}
