import FaultlineHTTP

/// Answers requests from the loaded scenario files: finds the endpoint, picks the response
/// (`?scenario=NAME`, the `X-Faultline-Scenario` header, or the endpoint's default) and
/// renders it. Built once from an immutable catalog; the request path takes no lock.
///
/// ```swift
/// let (catalog, _) = ScenarioLoader.loadDirectory("Scenarios")
/// let engine = try ScenarioEngine(catalog: catalog)
/// let response = engine.respond(to: HTTPRequest(method: "POST", target: "/aftership/v4/trackings?scenario=4003"))
/// ```
public final class ScenarioEngine: HTTPResponder {
    /// The header and query parameter a test uses to get a sandbox of its own; otherwise the
    /// request's API key (or token) is its client, and without one it is "anonymous".
    public static let clientHeader = "X-Faultline-Client"
    public static let clientParameter = "faultline_client"

    public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public let options: Options
    public let catalog: ScenarioCatalog
    let vendors: [CompiledVendor]
    /// First path segment → vendor, when vendors are mounted under their names.
    private let mounts: LiteralTable
    /// `HTTPRequest.listener` → vendor index (index 0, the main port, is unused).
    private let listenerVendors: [Int]
    /// Rate-limit buckets of every vendor.
    public let rateLimiter: RateLimiter
    /// Positions in scenario sequences, per client and endpoint.
    public let sequences: SequenceCounters
    /// Scenarios set through the admin API.
    public let stickyScenarios: StickyScenarios
    /// The last requests answered.
    public let journal: RequestJournal
    /// How each client retries, held to the vendors' `retry` rules (`/__faultline/verdicts`).
    public let judge: RetryJudge
    /// Every random draw: chaos, delay ranges. Replays with the same seed and request order.
    public let random: SeededRandom
    /// The emulation's time, which tests may freeze and move (`POST /__faultline/clock`).
    public let clock: EmulationClock
    /// `QueryString.initialBit`s of the delivery parameters' names and of the client
    /// parameter's: a request whose query has no key starting so is not searched for them.
    let deliveryInitials: UInt64
    let clientInitial: UInt64

    /// Reads the process environment (where `keysFromEnvironment` variables are looked up).
    public static func processEnvironment(_ name: String) -> String? { Authenticator.environment(name) }

    /// Without a `rateLimiter`, the engine's buckets run on its `clock`.
    public convenience init(catalog: ScenarioCatalog, options: Options = Options(), rateLimiter: RateLimiter? = nil, clock: EmulationClock = EmulationClock(), environment: (String) -> String? = ScenarioEngine.processEnvironment) throws {
        try self.init(catalog: catalog, options: options, rateLimiter: rateLimiter ?? RateLimiter(clock: clock.now), clock: clock, environment: environment, carrying: nil, metricsLabels: MetricsLabels())
    }

    /// `carrying`: the engine a reload replaces. Its rate-limit buckets, sequence positions,
    /// sticky scenarios, journal, random stream and the stored items of vendors still declared
    /// move over, so a reload changes answers, not what tests have built up. `metricsLabels`:
    /// the endpoint names for `/__faultline/metrics`, shared by every engine a reload makes.
    init(catalog: ScenarioCatalog, options: Options, rateLimiter: RateLimiter, clock: EmulationClock, environment: (String) -> String?, carrying previous: ScenarioEngine?, metricsLabels: MetricsLabels) throws {
        self.options = options
        self.clock = previous?.clock ?? clock
        self.rateLimiter = previous?.rateLimiter ?? rateLimiter
        self.journal = previous?.journal ?? RequestJournal(capacity: max(0, options.journalSize))
        self.judge = previous?.judge ?? RetryJudge(clients: options.stateLimits.clients)
        self.random = previous?.random ?? SeededRandom(seed: options.seed ?? SeededRandom.freshSeed())
        deliveryInitials = QueryString.initialBit(options.delayParameter.utf8.first ?? 0) | QueryString.initialBit(options.dribbleParameter.utf8.first ?? 0)
        clientInitial = QueryString.initialBit(Self.clientParameter.utf8.first ?? 0)
        self.sequences = previous?.sequences ?? SequenceCounters(limits: options.stateLimits)
        self.stickyScenarios = previous?.stickyScenarios ?? StickyScenarios()
        try Self.check(options, against: catalog)
        func compile(_ spec: VendorSpec, mount: String, index: Int) -> CompiledVendor {
            CompiledVendor(spec: spec, mount: mount, index: index, rateLimitOverrides: options.rateLimitOverrides, settingOverrides: options.settingOverrides, chaos: options.chaos, environment: environment, carrying: previous?.vendors.first { $0.spec.name == spec.name }, metricsLabels: metricsLabels, stateLimits: options.stateLimits)
        }
        if let only = options.singleVendor {
            guard let spec = catalog.vendors.first(where: { $0.name == only }) else {
                throw ConfigurationError(description: "no vendor named '\(only)' (loaded: \(catalog.vendors.map(\.name).joined(separator: ", ")))")
            }
            self.catalog = ScenarioCatalog(vendors: [spec])
            vendors = [compile(spec, mount: "", index: 0)]
            mounts = LiteralTable()
        } else {
            self.catalog = catalog
            vendors = catalog.vendors.enumerated().map { compile($0.element, mount: "/" + $0.element.name, index: $0.offset) }
            var mounts = LiteralTable()
            for (i, vendor) in catalog.vendors.enumerated() where mounts[Array(vendor.name.utf8)] == nil { mounts.insert(Array(vendor.name.utf8), Int32(i)) }
            self.mounts = mounts
        }
        var listenerVendors = [-1]
        for name in options.rootVendors {
            guard let index = self.catalog.vendors.firstIndex(where: { $0.name == name }) else {
                throw ConfigurationError(description: "--listen: no vendor named '\(name)' (loaded: \(self.catalog.vendors.map(\.name).joined(separator: ", ")))")
            }
            listenerVendors.append(index)
        }
        self.listenerVendors = listenerVendors
    }

    /// A vendor request's answer. The admin API is `ScenarioService`'s (`AdminAPI`), which
    /// wraps this engine: here every path is a vendor's. The notes carry the catalog entry
    /// served (the access log's label) and the vendor and endpoint (the metrics' tag).
    public func respond(to request: HTTPRequest, notes: inout ResponseNotes) -> HTTPResponse {
        answer(to: request, notes: &notes)
    }

    @inline(__always)
    func answer(to request: HTTPRequest, notes: inout ResponseNotes) -> HTTPResponse {
        labeledAnswer(to: request, tag: &notes.tag).unlabeled(label: &notes.label)
    }

    @inline(__always)
    func labeledAnswer(to request: HTTPRequest, tag: inout Int32) -> LabeledResponse {
        var facts = RequestFacts()
        var response: LabeledResponse
        switch requestedDelivery(request) {
        case .success(let delivery):
            response = route(request, &facts)
            tag = facts.metricsTag
            // A proxied answer is the upstream's, as it comes (no delay or fault of ours).
            if let delivery, facts.forward == nil { apply(delivery, to: &response) }
        case .failure(let refusal):
            // Checked before routing: a request Faultline refuses changes no state.
            response = refusal.response
        }
        if facts.endpointIndex >= 0, judge.wants(status: response.status, broken: response.delivery?.fault != nil, held: response.delivery?.delay ?? 0) {
            judge(request, response, facts)
        }
        // A proxied request is journaled when the upstream has answered (`forward`). (No early
        // return for it: one made every answer a copy of the response, callgrind.)
        if journal.capacity > 0, facts.forward == nil {
            // The facts' strings move into the entry: they are not read again.
            let time = RequestJournal.now()
            let sequence = journal.record(JournalEntry(
                time: time, client: facts.client.take() ?? clientKey(request, credential: nil), method: request.method,
                target: request.target, vendor: facts.vendor.take(), endpoint: facts.endpoint.take(), scenario: response.label, status: response.status))
            // Kept whole only while the live page or an agent asks for answers.
            if journal.isWatched(at: time) { journal.capture(sequence, response.response) }
        }
        return response
    }

    /// The request's client: `X-Faultline-Client`, `?faultline_client=`, else its credential;
    /// a long one as its length and hash (`ClientName`), as every table keeps it.
    func clientKey(_ request: HTTPRequest, credential: String?) -> String {
        if let explicit = request.headers[Self.clientHeader], !explicit.isEmpty { return ClientName.stored(explicit) }
        if let query = request.query, request.queryInitials & clientInitial != 0,
           let explicit = QueryString.first(Self.clientParameter, in: query), !explicit.isEmpty { return ClientName.stored(explicit) }
        if let credential, !credential.isEmpty { return ClientName.stored(credential) }
        return "anonymous"
    }

    private func route(_ request: HTTPRequest, _ facts: inout RequestFacts) -> LabeledResponse {
        let path = request.path
        facts.path = path
        return PathSegments.with(path) { segments in route(request, path, segments, &facts) }
    }

    private func route(_ request: HTTPRequest, _ path: Substring, _ segments: PathSegments, _ facts: inout RequestFacts) -> LabeledResponse {
        let vendorIndex: Int
        var first = 0
        if options.singleVendor != nil {
            vendorIndex = 0
        } else if request.listener > 0, request.listener < listenerVendors.count {
            // A vendor's own port: its paths from the root, as its SDKs write them.
            vendorIndex = listenerVendors[request.listener]
        } else {
            guard let index = mounts[segments[0]] else {
                return FaultlineResponses.noEndpoint(request: request, vendors: vendors, within: nil)
            }
            vendorIndex = Int(index)
            first = 1
        }
        let vendor = vendors[vendorIndex]
        facts.vendor = vendor.spec.name
        facts.vendorIndex = vendorIndex
        facts.metricsTag = vendor.vendorTag
        let method = request.method == "HEAD" ? "GET" : request.method

        // The first route in match order that takes the method. Routes of the path with other
        // methods are only noted: their list (for a 405) is made when no route matched, since
        // building it on the way cost an allocation on every path with a GET and a POST.
        var otherMethods = false
        var found = -1
        _ = vendor.trie.match(segments, from: first) { index in
            let route = vendor.routes[index]
            guard route.allows(segments, from: first) else { return false }
            guard route.method == method else {
                otherMethods = true
                return false
            }
            found = index
            return true
        }
        if found >= 0 {
            let route = vendor.routes[found]
            facts.endpoint = route.id
            facts.endpointIndex = route.endpoint
            return respond(request, vendor: vendor, route: route, pathParameters: route.parameters(segments, from: first, of: path), facts: &facts)
        }
        var context = RenderContext(request: request, pathParameters: [], scenarioParameter: options.scenarioParameter)
        context.emulationClock = clock
        let client = clientKey(request, credential: vendor.authenticator?.credential(in: request, basePath: nil))
        facts.client = client
        if let group = vendor.defaultGroup {
            context.rate = rateLimiter.peek(group, key: client)
        }
        if let upstream = options.passThrough?.upstream(for: vendor.spec.name) {
            // The target as the vendor's own API has it: origin form (RFC 9112 §3.2.1, also for
            // an absolute-form request), without Faultline's mount.
            let forwarding = Forwarding(upstream: upstream, target: PassThrough.originForm(path: first == 1 ? path.dropFirst(vendor.mount.count) : path, query: request.query))
            facts.forward = forwarding
            return forward(request, forwarding, facts: &facts)
        }
        if otherMethods {
            var methods: [String] = []
            _ = vendor.trie.match(segments, from: first) { index in
                let route = vendor.routes[index]
                if route.allows(segments, from: first), !methods.contains(route.method) { methods.append(route.method) }
                return false
            }
            if methods.contains("GET") { methods.append("HEAD") }
            if let name = vendor.spec.triggers.wrongMethod, var response = trigger(name, "wrong-method", vendor, &context) {
                response.headers.replaceOrAdd(name: "Allow", value: methods.joined(separator: ", "))
                return response
            }
            return FaultlineResponses.methodNotAllowed(request: request, allowed: methods)
        }
        if let name = vendor.spec.triggers.unknownPath, let response = trigger(name, "unknown-path", vendor, &context) {
            return response
        }
        return FaultlineResponses.noEndpoint(request: request, vendors: vendors, within: vendorIndex)
    }

    /// The request reached an endpoint. A named scenario answers as asked; otherwise the
    /// request is judged as the real API would: authentication, rate limit, content type,
    /// body syntax, then the endpoint's own response.
    private func respond(_ request: HTTPRequest, vendor: CompiledVendor, route: CompiledRoute, pathParameters: [(name: String, value: Substring)], facts: inout RequestFacts) -> LabeledResponse {
        let endpoint = vendor.endpoints[route.endpoint]
        facts.metricsTag = endpoint.metricsTag
        let group = vendor.endpointGroups[route.endpoint]
        var context = RenderContext(request: request, pathParameters: pathParameters, scenarioParameter: options.scenarioParameter)
        context.emulationClock = clock
        let credential = vendor.authenticator?.credential(in: request, basePath: route.basePath)
        // Rate-limit buckets and sequence positions belong to the client, so tests with
        // different keys (or X-Faultline-Client values) never see each other's state.
        let bucket = clientKey(request, credential: credential)
        facts.client = bucket
        context.client = bucket
        if !vendor.settings.isEmpty { context.settings = vendor.settings }
        context.random = random

        if let answer = answerByName(request, vendor: vendor, endpoint: endpoint, group: group, bucket: bucket, &context) {
            return answer
        }
        // A recorded request gets what the upstream gave it, before any other judgement.
        if !endpoint.examples.isEmpty {
            let own = [options.scenarioParameter, Self.clientParameter, options.delayParameter, options.dribbleParameter]
            if let example = endpoint.examples.first(where: { $0.matches(request, pathParameters: pathParameters, own: own, body: { context.body() }) }) {
                return answer(example.response, endpoint: endpoint, vendor: vendor, client: bucket, &context)
            }
        }

        let method = request.method == "HEAD" ? "GET" : request.method
        if !endpoint.isPublic, let authenticator = vendor.authenticator,
           let (failure, name) = authenticator.check(credential, request: request, method: method, scope: endpoint.scope) {
            if let group { context.rate = rateLimiter.peek(group, key: bucket) }
            if failure == .missingScope { context.requiredScope = endpoint.scope }
            if let response = trigger(name, failure.rawValue, vendor, &context) { return response }
        }
        if let group {
            let (allowed, state) = rateLimiter.take(group, key: bucket)
            context.rate = state
            if !allowed, let name = vendor.spec.triggers.rateLimits?.exceeded, let response = trigger(name, "rate-limit", vendor, &context) {
                return response
            }
        }
        if let rule = vendor.spec.triggers.contentType, rule.methods.contains(method), !Self.hasMediaType(request, rule.mediaType) {
            context.triggerMessage = "Content-Type must be \(rule.mediaType)."
            if let response = trigger(rule.response, "content-type", vendor, &context) { return response }
        }
        if let name = vendor.spec.triggers.malformedJSON, !request.body.isEmpty, context.body() == nil {
            context.triggerMessage = "The request body is not valid JSON."
            if let response = trigger(name, "malformed-json", vendor, &context) { return response }
        }
        let validator = endpoint.validator
        if !validator.isEmpty, let spec = vendor.spec.triggers.validation {
            let found = validator.check(request, body: context.body(), pathParameters: pathParameters)
            if let first = found.first, let response = answer(found, first: first, spec: spec, vendor: vendor, &context) {
                return response
            }
        }
        return answer(0, endpoint: endpoint, vendor: vendor, client: bucket, &context)
    }

    /// The answer a request gets by naming a scenario (`?scenario=`, the header, a sticky one,
    /// or chaos), or nil when it names none, or `default`: then it is judged as the real API
    /// would judge it.
    @inline(__always)
    private func answerByName(_ request: HTTPRequest, vendor: CompiledVendor, endpoint: CompiledEndpoint, group: RateLimiter.Group?, bucket: String, _ context: inout RenderContext) -> LabeledResponse? {
        var chosen = scenarioName(in: request) ?? stickyScenarios.lookup(client: bucket, vendor: vendor.spec.name)
        var byChaos = false
        if chosen == nil || chosen!.isEmpty, !vendor.chaos.isEmpty, let pick = chaosPick(vendor) {
            chosen = pick
            byChaos = true
        }
        if var name = chosen, !name.isEmpty {
            if byChaos {
                var response = respondByName(name, request, endpoint: endpoint, vendor: vendor, group: group, bucket: bucket, &context)
                response.label = "\(response.label ?? name) (chaos)"
                response.headers.add(name: "Faultline-Chaos", value: name)
                return response
            }
            // An explicit scenario wins and uses none of the key's allowance; the headers still
            // show the limiter's state.
            if let group { context.rate = rateLimiter.peek(group, key: bucket) }
            if let declared = vendor.sequences[name] { name = declared }
            if ScenarioSequence.isSequence(name) {
                guard let sequence = ScenarioSequence(parsing: name) else {
                    return FaultlineResponses.invalidSequence(name)
                }
                guard let position = sequences.next(client: bucket, endpoint: "\(vendor.spec.name).\(endpoint.id)", sequence: name) else {
                    return FaultlineResponses.stateLimit(.full(clients: options.stateLimits.clients, bytes: options.stateLimits.vendorBytes, protectedSeconds: options.stateLimits.protectedSeconds))
                }
                name = sequence.step(position)
            }
            switch Self.select(name, in: endpoint) {
            case .found(0):
                // `default` (a sequence's last step, say) is the request judged as if it named
                // no scenario: checks, limits and stored resources all apply.
                return nil
            case .found(let i):
                return answer(i, endpoint: endpoint, vendor: vendor, client: bucket, &context)
            case .unknown:
                if let builtin = builtin(name, endpoint: endpoint, vendor: vendor, client: bucket, &context) { return builtin }
                return FaultlineResponses.unknownScenario(name, vendor: vendor, endpoint: endpoint)
            case .ambiguous(let candidates):
                return FaultlineResponses.ambiguousStatus(name, vendor: vendor, endpoint: endpoint, candidates: candidates)
            }
        }
        return nil
    }

    /// Response `index` of the endpoint, its state steps run first when it has any.
    @inline(__always)
    func answer(_ index: Int, endpoint: CompiledEndpoint, vendor: CompiledVendor, client: String, _ context: inout RenderContext) -> LabeledResponse {
        if endpoint.steps[index].isEmpty { return endpoint.responses[index].render(&context) }
        return applyState(endpoint, from: index, vendor: vendor, client: client, &context)
    }

    /// Runs the steps of response `index` against the vendor's stored resources and renders
    /// the answer. A step's own answer (4003, a 404, a replay) is marked `Faultline-Trigger: state`.
    func applyState(_ endpoint: CompiledEndpoint, from index: Int, vendor: CompiledVendor, client: String, _ context: inout RenderContext) -> LabeledResponse {
        let (answer, refusal) = vendor.store.transaction(client: client) { state in
            var runner = StateRunner(client: client)
            let answer = runner.run(endpoint, from: index, &state, &context)
            return (answer, runner.refusal)
        }
        if let refusal { return FaultlineResponses.stateLimit(refusal) }
        let compiled = answer.variant ?? endpoint.responses[answer.index]
        var response = compiled.render(&context)
        if answer.index != index {
            response.headers.add(name: "Faultline-Trigger", value: "state")
            response.label = "\(compiled.name) (state)"
        }
        return response
    }
}
