import FaultlineHTTP

/// Checks the rules that span several places: names, references, paths, duplicates, templates.
struct SpecValidator: DiagnosticReporting {
    let file: String
    var diagnostics: [ScenarioDiagnostic] = []
    /// The vendor's settings, which `{{setting.NAME}}` must name.
    var settingNames: Set<String> = []

    init(file: String) {
        self.file = file
    }

    /// The most (endpoint, catalog entry) pairs and (endpoint, base path) routes a vendor may
    /// have: each pair is compiled (and checked) on its own, so a file of a few megabytes
    /// with tens of thousands of each must be refused before it costs gigabytes.
    static let maxCombinations = 1_000_000

    mutating func validate(_ vendor: VendorSpec) {
        let everywhere = vendor.errors.filter { $0.endpoints == nil }.count
        let pairs = vendor.endpoints.count * everywhere + vendor.errors.reduce(0) { $0 + ($1.endpoints?.count ?? 0) }
        let routes = vendor.endpoints.count * vendor.basePaths.count
        guard pairs <= Self.maxCombinations, routes <= Self.maxCombinations else {
            report("$.endpoints", "\(vendor.endpoints.count) endpoints with \(vendor.errors.count) catalog entries and \(vendor.basePaths.count) base paths make \(max(pairs, routes)) combinations; at most \(Self.maxCombinations)")
            return
        }
        settingNames = Set(vendor.settings.map(\.name))
        if !Self.isVendorName(vendor.name) {
            report("$.vendor", "'\(vendor.name)' is not a valid vendor name (lowercase letters, digits and '-', starting with a letter or digit)")
        }
        validateTemplates(vendor.headers, at: "$.headers", pathParameters: nil)
        let baseParams = validateBasePaths(vendor)
        let (ids, endpointParameters) = validateEndpoints(vendor, baseParams: baseParams)
        let catalogNames = validateCatalog(vendor, baseParams: baseParams, ids: ids, endpointParameters: endpointParameters)
        let endpointIDs = Set(ids.keys)
        validateTriggers(vendor, catalogNames: Set(catalogNames.keys), endpointIDs: endpointIDs)
        if let retry = vendor.retry { validateRetry(retry, of: vendor, endpointIDs: endpointIDs) }
        validateState(vendor)
        validateNoScenarioHidesACatalogEntry(vendor, catalogNames: catalogNames)
    }

    /// Each base path's parameter names (empty for one that does not parse).
    private mutating func validateBasePaths(_ vendor: VendorSpec) -> [[String]] {
        var baseParams: [[String]] = []
        for (i, base) in vendor.basePaths.enumerated() {
            let path = JSONPath.index("$.basePaths", i)
            switch PathTemplate.parse(base, allowEmpty: true) {
            case .success(let template): baseParams.append(template.parameterNames)
            case .failure(let error): report(path, error.message); baseParams.append([])
            }
        }
        if Set(vendor.basePaths).count != vendor.basePaths.count {
            report("$.basePaths", "the same base path is listed twice")
        }
        var constrained: Set<String> = []
        for (name, _) in vendor.basePathParameters {
            let path = JSONPath.child("$.basePathParameters", name)
            if !constrained.insert(name).inserted {
                report(path, "'\(name)' is listed twice")
            } else if !baseParams.contains(where: { $0.contains(name) }) {
                report(path, "'\(name)' is not a parameter of any of this vendor's basePaths")
            }
        }
        return baseParams
    }

    /// Ids, methods, paths (and their clashes), base paths and responses of every endpoint:
    /// the ids by index, and each endpoint's own path parameters.
    private mutating func validateEndpoints(_ vendor: VendorSpec, baseParams: [[String]]) -> (ids: [String: Int], parameters: [[String]]) {
        var ids: [String: Int] = [:]
        ids.reserveCapacity(vendor.endpoints.count)
        // Method, base path and shape hashed (parameters as one marker); a shared hash is
        // confirmed on the shapes themselves. No string is built per endpoint.
        var shapes: [UInt64: Int] = [:]
        shapes.reserveCapacity(vendor.endpoints.count)
        // Later endpoints whose hash an earlier, different shape already has (rare).
        var sharedHashes: [UInt64: [Int]] = [:]
        // By index: each endpoint's path parameters (none when its path does not parse).
        var endpointParameters = [[String]](repeating: [], count: vendor.endpoints.count)
        for (i, endpoint) in vendor.endpoints.enumerated() {
            // Paths are built only for a message: made for every endpoint, they cost more
            // than the checks.
            func path() -> String { JSONPath.index("$.endpoints", i) }
            if !Self.isIdentifier(endpoint.id) {
                report(JSONPath.child(path(), "id"), "'\(endpoint.id)' is not a valid endpoint id ([A-Za-z0-9_.-]+)")
            } else if let previous = ids[endpoint.id] {
                report(JSONPath.child(path(), "id"), "duplicate endpoint id '\(endpoint.id)' (also $.endpoints[\(previous)])")
            } else {
                ids[endpoint.id] = i
            }
            if !ScenarioLoader.httpMethods.contains(endpoint.method) {
                report(JSONPath.child(path(), "method"), "unknown method '\(endpoint.method)' (GET, POST, PUT, PATCH or DELETE)")
            }
            let bases = basePaths(of: endpoint, in: vendor, at: path)
            var parameters: [String] = []
            switch endpoint.template.map(Result.success) ?? PathTemplate.parse(endpoint.path, allowEmpty: false) {
            case .success(let template):
                parameters = template.parameterNames
                endpointParameters[i] = parameters
                // Two endpoints clash only where they are served under the same base path.
                for k in bases {
                    let key = Self.shapeHash(endpoint.method, k, template)
                    func clashes(_ j: Int) -> Bool {
                        let other = vendor.endpoints[j]
                        return other.method == endpoint.method && (other.basePaths.map { $0.contains(vendor.basePaths[k]) } ?? true)
                            && other.template?.shape == template.shape
                    }
                    guard let first = shapes[key] else {
                        shapes[key] = i
                        continue
                    }
                    if let previous = clashes(first) ? first : sharedHashes[key]?.first(where: clashes) {
                        report(JSONPath.child(path(), "path"), "duplicate endpoint: \(endpoint.method) \(endpoint.path) has the same method and path shape as $.endpoints[\(previous)]")
                        break
                    }
                    sharedHashes[key, default: []].append(i)
                }
                for k in bases where Self.repeats(baseParams[k], parameters) {
                    report(JSONPath.child(path(), "path"), "a path parameter name is used twice in the full path (base path + path)")
                }
            case .failure(let error):
                report(JSONPath.child(path(), "path"), error.message)
            }
            // The base paths' parameters an endpoint may use are those all its base paths have.
            var known = parameters
            if let first = bases.first {
                for name in baseParams[first] where bases.allSatisfy({ baseParams[$0].contains(name) }) && !known.contains(name) { known.append(name) }
            }
            validateResponse(endpoint.response, at: JSONPath.child(path(), "response"), pathParameters: known)
            validateScenarios(of: endpoint, pathParameters: known)
            for example in endpoint.examples {
                for (name, _) in example.parameters where !known.contains(name) {
                    report(JSONPath.child(JSONPath.child(JSONPath.child(example.jsonPath, "request"), "parameters"), name), "'\(name)' is not a parameter of \(endpoint.path)")
                }
                validateResponse(example.response, at: JSONPath.child(example.jsonPath, "response"), pathParameters: known)
            }
        }
        return (ids, endpointParameters)
    }

    /// Method, base path and shape (literals, and one marker for any parameter), hashed.
    private static func shapeHash(_ method: String, _ base: Int, _ template: PathTemplate) -> UInt64 {
        var hash = FNV1a()
        hash.add(method)
        var base = base
        withUnsafeBytes(of: &base) { hash.add($0.bindMemory(to: UInt8.self)) }
        for segment in template.segments {
            switch segment {
            case .literal(let text): hash.add(text)
            case .parameter: hash.add("{}")
            }
        }
        return hash.bits
    }

    /// Whether a name occurs twice in a base path's parameters followed by a path's; lists of
    /// path parameters are a few names long.
    private static func repeats(_ base: [String], _ path: [String]) -> Bool {
        let count = base.count + path.count
        guard count > 1 else { return false }
        func name(_ i: Int) -> String { i < base.count ? base[i] : path[i - base.count] }
        for i in 1..<count {
            for j in 0..<i where name(j) == name(i) { return true }
        }
        return false
    }

    /// The indexes of the base paths an endpoint is served under: all of the vendor's unless it
    /// names some, each of which must be the vendor's.
    private mutating func basePaths(of endpoint: EndpointSpec, in vendor: VendorSpec, at path: () -> String) -> [Int] {
        guard let own = endpoint.basePaths else { return Array(vendor.basePaths.indices) }
        var bases: [Int] = []
        for (j, base) in own.enumerated() {
            if let k = vendor.basePaths.firstIndex(of: base) {
                if !bases.contains(k) { bases.append(k) }
            } else {
                report(JSONPath.index(JSONPath.child(path(), "basePaths"), j), "'\(base)' is not one of this vendor's basePaths")
            }
        }
        return bases
    }

    /// An endpoint's own scenarios: valid names, unique regardless of case, valid responses.
    private mutating func validateScenarios(of endpoint: EndpointSpec, pathParameters known: [String]) {
        var localNames: [String: String] = [:]
        for named in endpoint.scenarios {
            validateName(named.name, at: named.jsonPath)
            let key = named.name.lowercased()
            if let other = localNames[key] {
                report(named.jsonPath, "scenario name '\(named.name)' clashes with '\(other)' (names are case-insensitive)")
            }
            localNames[key] = named.name
            validateResponse(named.response, at: named.jsonPath, pathParameters: known)
        }
    }

    /// The error catalog's names, endpoint references and templates, by lowercased name.
    private mutating func validateCatalog(_ vendor: VendorSpec, baseParams: [[String]], ids: [String: Int], endpointParameters: [[String]]) -> [String: NamedResponse] {
        let sharedBaseParameters = baseParams.reduce(into: Set<String>()) { $0.formUnion($1) }.filter { name in baseParams.allSatisfy { $0.contains(name) } }
        var catalogNames: [String: NamedResponse] = [:]
        var everyEndpoint: Set<String>?
        for named in vendor.errors {
            validateName(named.name, at: named.jsonPath)
            let key = named.name.lowercased()
            if let other = catalogNames[key] {
                report(named.jsonPath, "scenario name '\(named.name)' clashes with '\(other.name)' (names are case-insensitive)")
            }
            catalogNames[key] = named
            if let references = named.endpoints {
                for (i, reference) in references.enumerated() where ids[reference] == nil {
                    report(JSONPath.index(JSONPath.child(named.jsonPath, "endpoints"), i), "unknown endpoint id '\(reference)'")
                }
            }
            // A catalog entry may serve several endpoints, so only the parameters they all share
            // are known. Those of every endpoint are worked out once for all vendor-wide entries.
            let shared: Set<String>
            if let references = named.endpoints {
                shared = Self.common(vendor.endpoints.indices.lazy.filter { references.contains(vendor.endpoints[$0].id) }.map { endpointParameters[$0] })
            } else {
                if everyEndpoint == nil { everyEndpoint = Self.common(endpointParameters) }
                shared = everyEndpoint!
            }
            validateResponse(named.response, at: named.jsonPath, pathParameters: Array(shared.union(sharedBaseParameters)))
        }
        return catalogNames
    }

    /// The names every list has; empty for no lists.
    private static func common<Lists: Sequence<[String]>>(_ lists: Lists) -> Set<String> {
        var shared: Set<String>?
        for names in lists {
            if shared?.isEmpty == true { break }
            shared = shared.map { $0.intersection(names) } ?? Set(names)
        }
        return shared ?? []
    }

    /// An endpoint scenario may not hide a catalog entry offered on the same endpoint.
    private mutating func validateNoScenarioHidesACatalogEntry(_ vendor: VendorSpec, catalogNames: [String: NamedResponse]) {
        for i in vendor.endpoints.indices where !vendor.endpoints[i].scenarios.isEmpty {
            let endpoint = vendor.endpoints[i]
            for named in endpoint.scenarios {
                if let entry = catalogNames[named.name.lowercased()], entry.endpoints == nil || entry.endpoints!.contains(endpoint.id) {
                    report(named.jsonPath, "scenario '\(named.name)' on endpoint '\(endpoint.id)' conflicts with the catalog entry $.errors[\"\(entry.name)\"] offered on the same endpoint (\(JSONPath.index("$.endpoints", i)))")
                }
            }
        }
    }

    mutating func validateTriggers(_ vendor: VendorSpec, catalogNames: Set<String>, endpointIDs: Set<String>) {
        let triggers = vendor.triggers
        reference(triggers.unknownPath, at: "$.triggers.unknownPath", in: catalogNames)
        reference(triggers.wrongMethod, at: "$.triggers.wrongMethod", in: catalogNames)
        reference(triggers.malformedJSON, at: "$.triggers.malformedJSON", in: catalogNames)
        if let rule = triggers.contentType {
            reference(rule.response, at: "$.triggers.contentType.response", in: catalogNames)
            for (i, method) in rule.methods.enumerated() where !ScenarioLoader.httpMethods.contains(method) {
                report("$.triggers.contentType.methods[\(i)]", "unknown method '\(method)'")
            }
        }
        validateAuth(vendor, catalogNames: catalogNames)
        validateValidation(vendor, catalogNames: catalogNames)
        if let limits = triggers.rateLimits {
            reference(limits.exceeded, at: "$.triggers.rateLimits.exceeded", in: catalogNames)
            validateRateLimitGroups(limits.groups, endpointIDs: endpointIDs)
        }
    }

    /// A trigger's answer must be in the vendor's catalog.
    private mutating func reference(_ name: String?, at path: String, in catalogNames: Set<String>) {
        guard let name, !catalogNames.contains(name.lowercased()) else { return }
        report(path, "'\(name)' is not in this vendor's error catalog ($.errors)")
    }

    private mutating func validateAuth(_ vendor: VendorSpec, catalogNames: Set<String>) {
        guard let auth = vendor.triggers.auth else {
            for i in vendor.endpoints.indices where vendor.endpoints[i].scope != nil {
                report("$.endpoints[\(i)].scope", "a scope needs $.triggers.auth to check it")
            }
            return
        }
        reference(auth.missing, at: "$.triggers.auth.missing", in: catalogNames)
        reference(auth.invalid, at: "$.triggers.auth.invalid", in: catalogNames)
        reference(auth.readOnly, at: "$.triggers.auth.readOnly", in: catalogNames)
        reference(auth.missingScope, at: "$.triggers.auth.missingScope", in: catalogNames)
        reference(auth.noPlan, at: "$.triggers.auth.noPlan", in: catalogNames)
        reference(auth.unlessAccept?.response, at: "$.triggers.auth.unlessAccept.response", in: catalogNames)
        for (i, credential) in auth.credentials.enumerated() {
            for (j, base) in (credential.basePaths ?? []).enumerated() where !vendor.basePaths.contains(base) {
                report("$.triggers.auth.credentials[\(i)].basePaths[\(j)]", "'\(base)' is not one of this vendor's basePaths")
            }
            if credential.header.isEmpty || !credential.header.utf8.allSatisfy({ $0.isHeaderNameChar }) {
                report("$.triggers.auth.credentials[\(i)].header", "'\(credential.header)' is not a valid header name")
            }
        }
    }

    /// The validation trigger and every endpoint's rules.
    private mutating func validateValidation(_ vendor: VendorSpec, catalogNames: Set<String>) {
        let validation = vendor.triggers.validation
        if let validation {
            reference(validation.response, at: "$.triggers.validation.response", in: catalogNames)
            for (kind, name) in validation.responses.sorted(by: { $0.key < $1.key }) {
                reference(name, at: "$.triggers.validation.responses.\(kind)", in: catalogNames)
            }
            if validation.mode == .all { validateViolationsPath(validation, vendor) }
        }
        for i in vendor.endpoints.indices where !vendor.endpoints[i].validate.isEmpty {
            let endpoint = vendor.endpoints[i]
            for (j, rule) in endpoint.validate.enumerated() {
                let path = "$.endpoints[\(i)].validate[\(j)]"
                reference(rule.response, at: path + ".response", in: catalogNames)
                if validation == nil && rule.response == nil {
                    report(path, "validation rules need $.triggers.validation (how violations are answered) or a 'response' of their own")
                }
                if rule.location == .path, let template = endpoint.template, !template.parameterNames.contains(rule.field) {
                    report(path + ".field", "the endpoint's path has no parameter '\(rule.field)'")
                }
                if rule.field.isEmpty { report(path + ".field", "a rule needs a field") }
            }
        }
    }

    /// Mode `all` puts every violation at `at` in the validation entry's JSON body.
    private mutating func validateViolationsPath(_ validation: ValidationSpec, _ vendor: VendorSpec) {
        guard let at = validation.at else {
            report("$.triggers.validation", "mode 'all' needs 'at': where in the response body the violations go")
            return
        }
        guard let entry = vendor.errors.first(where: { $0.name.lowercased() == validation.response.lowercased() }) else { return }
        guard case .json(let body) = entry.response.body else {
            report("$.triggers.validation.at", "the validation response has no JSON body to put violations in")
            return
        }
        if CompiledVendor.replacing(at.split(separator: ".").map(String.init), in: body, with: .null) == nil {
            report("$.triggers.validation.at", "'\(at)' is not a path in the body of $.errors[\"\(entry.name)\"]")
        }
    }

    /// Group names are unique, an endpoint is in one group at most, one group covers the rest.
    private mutating func validateRateLimitGroups(_ groups: [RateLimitSpec.Group], endpointIDs: Set<String>) {
        var names: Set<String> = []
        var owner: [String: String] = [:]
        var catchAll: String?
        for (i, group) in groups.enumerated() {
            let path = "$.triggers.rateLimits.groups[\(i)]"
            if !names.insert(group.name).inserted { report(JSONPath.child(path, "name"), "duplicate group name '\(group.name)'") }
            guard let endpoints = group.endpoints else {
                if let other = catchAll {
                    report(path, "groups '\(other)' and '\(group.name)' both list no endpoints; only one group may cover the rest")
                }
                catchAll = group.name
                continue
            }
            for (j, id) in endpoints.enumerated() {
                if !endpointIDs.contains(id) {
                    report("\(path).endpoints[\(j)]", "unknown endpoint id '\(id)'")
                } else if let other = owner[id] {
                    report("\(path).endpoints[\(j)]", "endpoint '\(id)' is already in group '\(other)'")
                } else {
                    owner[id] = group.name
                }
            }
        }
    }

    mutating func validateName(_ name: String, at path: String) {
        if name.lowercased() == "default" {
            report(path, "'default' is reserved for the endpoint's own response")
        } else if name.isEmpty || !name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "&") && $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }) {
            report(path, "'\(name)' is not a valid scenario name (visible ASCII without , & = ? #)")
        }
    }

    static func isVendorName(_ name: String) -> Bool {
        VendorSpec.isValidName(name)
    }

    static func isIdentifier(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.allSatisfy { $0.isLowerAlnum || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }
}
