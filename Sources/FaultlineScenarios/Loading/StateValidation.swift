import FaultlineHTTP

/// Checks of the stored-resource parts that span the file: collections and keys named by
/// steps exist, answers name responses the endpoint offers, bound-item steps follow a step
/// that binds one, settings and sequences are well formed.
extension SpecValidator {
    mutating func validateState(_ vendor: VendorSpec) {
        for collection in vendor.collections {
            if !Self.isIdentifier(collection.name) {
                report(collection.jsonPath, "'\(collection.name)' is not a valid collection name ([A-Za-z0-9_.-]+)")
            }
            for (k, key) in collection.keys.enumerated() {
                let keyPath = JSONPath.index(JSONPath.child(collection.jsonPath, "keys"), k)
                if Set(key).count != key.count { report(keyPath, "a field is listed twice in the key") }
                if key.allSatisfy({ $0 == CollectionSpec.clientField }) { report(keyPath, "a key needs a field besides \(CollectionSpec.clientField)") }
            }
            for (i, item) in collection.items.enumerated() where item.holdsPlaceholder {
                report(JSONPath.index(JSONPath.child(collection.jsonPath, "items"), i), "declared items are stored as written: placeholders ({{...}}) are not allowed here")
            }
        }
        for rule in vendor.chaos where !Self.offers(vendor, rule.scenario) {
            report("$.chaos", "'\(rule.scenario)' is no scenario of any endpoint, nor a built-in fault (\(ResponseFault.allCases.map(\.rawValue).joined(separator: ", "))) or gateway page")
        }
        for (name, steps) in vendor.sequences {
            let path = JSONPath.child("$.sequences", name)
            validateName(name, at: path)
            if ScenarioSequence(parsing: steps) == nil || !ScenarioSequence.isSequence(steps) {
                report(path, "'\(steps)' is not a sequence: names separated by commas, each optionally with *N (e.g. \"500*2,default\")")
            }
        }
        // Each endpoint's names once: a catalog entry with steps is checked against every
        // endpoint it applies to, and recomputing them per entry would be cubic in the file.
        // Only endpoints with steps to check need them (most have none).
        var namesByEndpoint: [Int: [String: ResponseSpec]] = [:]
        func names(_ index: Int) -> [String: ResponseSpec] {
            if let known = namesByEndpoint[index] { return known }
            let names = Self.responseNames(vendor, vendor.endpoints[index])
            namesByEndpoint[index] = names
            return names
        }
        // By index, so that the thousands of endpoints without steps are not each copied.
        for index in vendor.endpoints.indices where !vendor.endpoints[index].state.isEmpty || vendor.endpoints[index].scenarios.contains(where: { !$0.state.isEmpty }) {
            let endpoint = vendor.endpoints[index]
            validateSteps(endpoint.state, vendor: vendor, names: names(index), bound: false)
            for named in endpoint.scenarios { validateSteps(named.state, vendor: vendor, names: names(index), bound: false) }
        }
        for named in vendor.errors where !named.state.isEmpty {
            for index in vendor.endpoints.indices where named.endpoints == nil || named.endpoints!.contains(vendor.endpoints[index].id) {
                validateSteps(named.state, vendor: vendor, names: names(index), bound: false)
            }
        }
    }

    /// Whether a request to some endpoint of `vendor` can name `scenario` (a name, a bare status
    /// one response has, or a built-in fault or gateway page): what a chaos rule may inject.
    static func offers(_ vendor: VendorSpec, _ scenario: String) -> Bool {
        let name = scenario.lowercased()
        if BuiltinScenarios.faults[name] != nil || BuiltinScenarios.gateway(name) != nil { return true }
        return vendor.endpoints.contains { endpoint in
            let names = responseNames(vendor, endpoint)
            return names[name] != nil || (name.utf8.count == 3 && names.values.contains { String($0.status) == name })
        }
    }

    /// Lowercased names an endpoint can answer with: default, its scenarios, the catalog entries it offers.
    /// Sized once and walked by index: growing the dictionary and copying each catalog entry
    /// out of the array cost about 33,000 instructions an endpoint.
    static func responseNames(_ vendor: VendorSpec, _ endpoint: EndpointSpec) -> [String: ResponseSpec] {
        var names: [String: ResponseSpec] = [:]
        names.reserveCapacity(1 + endpoint.scenarios.count + vendor.errors.count)
        names["default"] = endpoint.response
        for i in endpoint.scenarios.indices { names[endpoint.scenarios[i].name.lowercased()] = endpoint.scenarios[i].response }
        for i in vendor.errors.indices where vendor.errors[i].endpoints.map({ $0.contains(endpoint.id) }) ?? true {
            names[vendor.errors[i].name.lowercased()] = vendor.errors[i].response
        }
        return names
    }

    @discardableResult
    private mutating func validateSteps(_ steps: [StateStep], vendor: VendorSpec, names: [String: ResponseSpec], bound: Bool) -> Bool {
        var bound = bound
        func collection(_ name: String, at path: String, _ validator: inout SpecValidator) -> CollectionSpec? {
            guard let found = vendor.collections.first(where: { $0.name == name }) else {
                let known = vendor.collections.map(\.name)
                validator.report(path, "unknown collection '\(name)' (declared: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
                return nil
            }
            return found
        }
        for step in steps {
            let path = step.jsonPath
            switch step.op {
            case .find(let name, let whereFields, let found, let missing, let foreign, _):
                if let spec = collection(name, at: JSONPath.child(path, "find"), &self), StateCompiler.key(spec, whereFields) == nil {
                    let keys = spec.keys.map { "[" + $0.joined(separator: ", ") + "]" }.joined(separator: ", ")
                    report(JSONPath.child(path, "where"), "the fields [\(whereFields.map(\.field).joined(separator: ", "))] are not a key of '\(name)' (keys: \(keys); \(CollectionSpec.clientField) is implied)")
                }
                for (field, value) in whereFields { validateValue(value, at: JSONPath.child(JSONPath.child(path, "where"), field)) }
                for ref in [found, missing, foreign] { validateRef(ref, names: names) }
                bound = true
            case .when(let value, _, let operand, let response):
                validateValue(value, at: JSONPath.child(path, "when"))
                validateValue(operand, at: path)
                validateRef(response, names: names)
            case .create(let name, let item, let conflict):
                if let spec = collection(name, at: JSONPath.child(path, "create"), &self) {
                    let fields: Set<String> = if case .object(let members) = item { Set(members.map(\.key)) } else { [] }
                    for key in spec.keys where !key.allSatisfy({ $0 == CollectionSpec.clientField || fields.contains($0) }) {
                        report(JSONPath.child(path, "item"), "the item lacks a field of the key [\(key.joined(separator: ", "))]")
                    }
                }
                validateValue(item, at: JSONPath.child(path, "item"))
                validateRef(conflict, names: names)
                bound = true
            case .set(let value):
                if !bound { report(path, "'set' changes the item a find or create step bound; none comes before it") }
                validateValue(value, at: JSONPath.child(path, "set"))
            case .add(let fields):
                if !bound { report(path, "'add' changes the item a find or create step bound; none comes before it") }
                for (field, value) in fields { validateValue(value, at: JSONPath.child(JSONPath.child(path, "add"), field)) }
            case .delete:
                if !bound { report(path, "'delete' removes the item a find or create step bound; none comes before it") }
            case .list(let name, let filters, let limit, let page):
                _ = collection(name, at: JSONPath.child(path, "list"), &self)
                for (field, value) in filters { validateValue(value, at: JSONPath.child(JSONPath.child(path, "where"), field)) }
                if let limit { validateValue(limit, at: JSONPath.child(path, "limit")) }
                if let page { validateValue(page, at: JSONPath.child(path, "page")) }
            case .forEach(let source, let nested):
                validateValue(source, at: JSONPath.child(path, "forEach"))
                if validateSteps(nested, vendor: vendor, names: names, bound: bound) { bound = true }
            }
        }
        return bound
    }

    private mutating func validateRef(_ ref: ResponseRef?, names: [String: ResponseSpec]) {
        guard let ref else { return }
        guard let target = names[ref.name.lowercased()] else {
            report(ref.jsonPath, "'\(ref.name)' is not a response this endpoint offers (its scenarios, the catalog entries for it, or default)")
            return
        }
        guard let at = ref.itemAt else { return }
        guard case .json(let body) = target.body,
              CompiledVendor.inserting(at.split(separator: ".").map(String.init), in: body, .null) != nil else {
            report(JSONPath.child(ref.jsonPath, "itemAt"), "'\(at)' is not a place in the body of '\(ref.name)' (its parent object must exist)")
            return
        }
    }

    private mutating func validateValue(_ value: JSONValue, at path: String) {
        if value.holdsPlaceholder { validateJSONTemplates(value, at: path, pathParameters: nil) }
    }
}
