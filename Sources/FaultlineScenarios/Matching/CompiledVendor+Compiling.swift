/// The parts of a vendor compiled one by one.
extension CompiledVendor {
    /// The file's rate-limit groups with `--rate-limit` applied: the vendor's default group,
    /// and the group each endpoint counts against.
    static func rateGroups(_ spec: VendorSpec, overrides: [RateLimitOverride]) -> (RateLimiter.Group?, EndpointValues<RateLimiter.Group?>) {
        var groups: [RateLimiter.Group] = []
        for group in spec.triggers.rateLimits?.groups ?? [] {
            var compiled = RateLimiter.Group(id: Self.stableID(spec.name, group.name), name: group.name, limit: group.limit, window: group.window)
            for override in overrides where override.vendor == spec.name && (override.group == nil || override.group == group.name) {
                compiled.limit = override.limit
                compiled.window = override.window
            }
            groups.append(compiled)
        }
        let rateGroups = spec.triggers.rateLimits?.groups ?? []
        let defaultIndex = rateGroups.firstIndex(where: { $0.endpoints == nil })
        // Each endpoint's group by index (-1: none), the first group listing it, else the default.
        let listed = rateGroups.contains { $0.endpoints != nil }
        func groupIndex(_ endpoint: Int) -> Int {
            guard listed else { return defaultIndex ?? -1 }
            let id = spec.endpoints[endpoint].id
            return rateGroups.firstIndex(where: { $0.endpoints?.contains(id) == true }) ?? defaultIndex ?? -1
        }
        let endpointGroups = EndpointValues(count: spec.endpoints.count, key: groupIndex) { endpoint -> RateLimiter.Group? in
            let index = groupIndex(endpoint)
            return index < 0 ? nil : groups[index]
        }
        return (defaultIndex.map { groups[$0] }, endpointGroups)
    }

    /// The validation entry with every violation at its `at` path, when the vendor lists all.
    static func validationVariant(_ spec: VendorSpec) -> CompiledResponse? {
        guard let validation = spec.triggers.validation, validation.mode == .all, let at = validation.at,
              let entry = spec.errors.first(where: { $0.name.lowercased() == validation.response.lowercased() }),
              case .json(let body) = entry.response.body,
              let replaced = Self.replacing(at.split(separator: ".").map(String.init), in: body, with: .string("{{violations}}")) else { return nil }
        var variant = entry.response
        variant.body = .json(replaced)
        return CompiledResponse(name: entry.name, spec: variant, vendorHeaders: spec.headers)
    }

    /// Endpoint `index`'s routes, one per base path it is served under. Made at load for every
    /// endpoint (a request must find its endpoint), unlike the endpoint's answers.
    static func routes(of index: Int, in spec: VendorSpec, mount: String, bases: [(String, PathTemplate)], into routes: inout [CompiledRoute]) {
        let endpoint = spec.endpoints[index]
        let path = endpoint.template ?? PathTemplate(segments: [])
        for (basePath, base) in bases where endpoint.basePaths?.contains(basePath) ?? true {
            var choices: [(index: Int, values: [String])] = []
            for (i, segment) in base.segments.enumerated() {
                if case .parameter(let name) = segment, let allowed = spec.basePathParameters.first(where: { $0.name == name }) {
                    choices.append((i, allowed.values))
                }
            }
            routes.append(CompiledRoute(endpoint: index, id: endpoint.id, method: endpoint.method, base: base.segments, path: path.segments, mount: mount, basePath: basePath, choices: choices))
        }
    }

    /// Endpoint `index`: its default answer, its own scenarios and the catalog entries it
    /// offers, their state steps. Compiled when first reached (`LazyEndpoints`).
    static func compileEndpoint(_ index: Int, of spec: VendorSpec, mount: String, catalog: [CompiledResponse], metricsTag: Int32,
                                messages: RequestValidator.LazyMessages) -> CompiledEndpoint {
        let endpoint = spec.endpoints[index]
        var responses = [CompiledResponse(name: "default", spec: endpoint.response, vendorHeaders: spec.headers)]
        var sources: [(spec: ResponseSpec, state: [StateStep])] = [(endpoint.response, endpoint.state)]
        for named in endpoint.scenarios {
            responses.append(CompiledResponse(name: named.name, spec: named.response, vendorHeaders: spec.headers))
            sources.append((named.response, named.state))
        }
        for (i, named) in spec.errors.enumerated() where named.endpoints == nil || named.endpoints!.contains(endpoint.id) {
            responses.append(catalog[i])
            sources.append((named.response, named.state))
        }
        var names = NameTable<Int>()
        var byStatus: [Int: [Int]] = [:]
        for (i, response) in responses.enumerated() {
            names[response.name] = i
            if i > 0 { byStatus[response.status, default: []].append(i) }
        }
        // Examples answer matching requests only: no name, so no `?scenario=` reaches them.
        var examples: [CompiledExample] = []
        for (i, example) in endpoint.examples.enumerated() {
            examples.append(CompiledExample(example, response: responses.count))
            responses.append(CompiledResponse(name: "example \(i + 1)", spec: example.response, vendorHeaders: spec.headers))
            sources.append((example.response, []))
        }
        let displayBase = endpoint.basePaths?.first ?? spec.basePaths.first ?? ""
        // Most endpoints have no state steps: no compiler for them.
        let compiler = sources.contains { !$0.state.isEmpty } ? StateCompiler(vendor: spec, names: names, responses: responses, specs: sources.map(\.spec)) : nil
        let steps = sources.map { source in compiler.map { source.state.isEmpty ? [] : $0.compile(source.state) } ?? [] }
        let validator = endpoint.validate.isEmpty ? RequestValidator.empty
            : RequestValidator(rules: endpoint.validate, nameStyle: spec.triggers.validation?.nameStyle ?? .path, messages: messages.value)
        return CompiledEndpoint(id: endpoint.id, method: endpoint.method, displayPath: mount + displayBase + (endpoint.path == "/" && !displayBase.isEmpty ? "" : endpoint.path), scope: endpoint.scope, isPublic: endpoint.isPublic, responses: responses, names: names, byStatus: byStatus, steps: steps, metricsTag: metricsTag, validator: validator, examples: examples)
    }

    /// A literal segment beats a parameter in the same place, whatever the file order:
    /// `/couriers/all` is tried before `/couriers/{slug}`.
    static func matchOrder(_ routes: [CompiledRoute]) -> [CompiledRoute] {
        routes.enumerated().sorted { a, b in
            // Only routes with as many segments can match the same path; order by length first
            // so the comparison stays a strict weak ordering.
            if a.element.segmentCount != b.element.segmentCount { return a.element.segmentCount < b.element.segmentCount }
            for i in 0..<a.element.segmentCount {
                switch (a.element.segment(i), b.element.segment(i)) {
                case (.literal, .parameter): return true
                case (.parameter, .literal): return false
                default: continue
                }
            }
            return a.offset < b.offset
        }.map(\.element)
    }
}
