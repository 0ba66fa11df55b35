import FaultlineHTTP

extension ScenarioEngine {
    /// How an engine serves: the defaults live here, once; the CLI reads them from here.
    public struct Options: Sendable {
        /// The query parameter that names a scenario; removed before templates see the query.
        public var scenarioParameter: String = "scenario"
        /// The header that names a scenario, for clients that cannot change URLs.
        public var scenarioHeader: String = "X-Faultline-Scenario"
        /// Mount only this vendor, at `/` instead of `/<vendor>`.
        public var singleVendor: String?
        /// The vendor at the root of each extra listening socket (`HTTPRequest.listener` i + 1
        /// → `rootVendors[i]`, `--listen aftership=8081`), so SDKs with absolute paths reach
        /// several vendors from one process; the main port keeps every vendor under `/<vendor>`.
        public var rootVendors: [String] = []
        /// Replace the limits declared in the files (`--rate-limit aftership=3/1s`).
        public var rateLimitOverrides: [RateLimitOverride]
        /// Where the admin API lives; never a vendor path.
        public var adminPrefix: String = "/__faultline"
        /// When set, the admin API (health excepted) wants `Authorization: Bearer <token>` or
        /// `X-Faultline-Admin-Token: <token>`.
        public var adminToken: String?
        /// Requests the journal keeps (0: no journal).
        public var journalSize: Int = 1_000
        /// Replace settings declared in the files (`--set price2b.quote_validity_seconds=1`).
        public var settingOverrides: [SettingOverride] = []
        /// Outcomes injected with a probability into requests that name no scenario (`--chaos`).
        public var chaos: [ChaosRule] = []
        /// Seed of every random draw (chaos, delay ranges); nil: one from the clock (logged).
        public var seed: UInt64?
        /// The query parameters that ask for a delay (`delay=1500`, `500-1500`,
        /// `lognormal:300:0.8`) and a slow body (`dribble=16:100`) on any request.
        public var delayParameter = "delay"
        public var dribbleParameter = "dribble"
        /// How much state (stored items, sequence positions) is kept, and how room is made.
        public var stateLimits = StateLimits()
        /// Where requests no endpoint matches go instead of the vendor's 404 or 405
        /// (`--proxy-unmatched`); nil: nowhere.
        public var passThrough: PassThrough?

        public init(scenarioParameter: String = "scenario", scenarioHeader: String = "X-Faultline-Scenario", singleVendor: String? = nil, rateLimitOverrides: [RateLimitOverride] = [], adminToken: String? = nil, journalSize: Int = 1_000, settingOverrides: [SettingOverride] = []) {
            self.settingOverrides = settingOverrides
            self.scenarioParameter = scenarioParameter
            self.scenarioHeader = scenarioHeader
            self.singleVendor = singleVendor
            self.rateLimitOverrides = rateLimitOverrides
            self.adminToken = adminToken
            self.journalSize = journalSize
        }
    }
}

extension ScenarioEngine {
    /// The command line's `--chaos`, `--rate-limit` and `--set` must name what the files declare:
    /// a name nothing offers would silently change nothing.
    static func check(_ options: Options, against catalog: ScenarioCatalog) throws {
        for name in options.passThrough?.upstreams.keys.sorted() ?? [] where !catalog.vendors.contains(where: { $0.name == name }) {
            throw ConfigurationError(description: "--proxy-unmatched: no vendor named '\(name)'")
        }
        for rule in options.chaos {
            if let name = rule.vendor, !catalog.vendors.contains(where: { $0.name == name }) {
                throw ConfigurationError(description: "--chaos: no vendor named '\(name)'")
            }
            // A name no endpoint offers would silently serve the normal answer: refuse it.
            let scope = catalog.vendors.filter { rule.vendor == nil || $0.name == rule.vendor }
            if !scope.contains(where: { SpecValidator.offers($0, rule.scenario) }) {
                throw ConfigurationError(description: "--chaos: '\(rule.scenario)' is no scenario of \(rule.vendor.map { "vendor '\($0)'" } ?? "any vendor"), nor a built-in fault or gateway page")
            }
        }
        for override in options.rateLimitOverrides {
            guard let vendor = catalog.vendors.first(where: { $0.name == override.vendor }) else {
                throw ConfigurationError(description: "--rate-limit: no vendor named '\(override.vendor)'")
            }
            let groups = vendor.triggers.rateLimits?.groups.map(\.name) ?? []
            if groups.isEmpty { throw ConfigurationError(description: "--rate-limit: vendor '\(override.vendor)' declares no rate limits") }
            if let group = override.group, !groups.contains(group) {
                throw ConfigurationError(description: "--rate-limit: vendor '\(override.vendor)' has no group '\(group)' (groups: \(groups.joined(separator: ", ")))")
            }
        }
        for override in options.settingOverrides {
            guard let vendor = catalog.vendors.first(where: { $0.name == override.vendor }) else {
                throw ConfigurationError(description: "--set: no vendor named '\(override.vendor)'")
            }
            if !vendor.settings.contains(where: { $0.name == override.name }) {
                let names = vendor.settings.map(\.name)
                throw ConfigurationError(description: "--set: vendor '\(override.vendor)' has no setting '\(override.name)' (settings: \(names.isEmpty ? "none" : names.joined(separator: ", ")))")
            }
        }
    }
}
