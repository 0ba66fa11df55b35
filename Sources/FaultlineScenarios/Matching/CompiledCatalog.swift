import FaultlineHTTP

/// One response ready to send: headers merged (vendor-wide, then its own), body compiled.
/// A class: rendering one from an endpoint's array copied the struct (a retain and a release
/// per field) several times a request.
final class CompiledResponse: Sendable {
    let name: String
    let status: Int
    let description: String?
    /// Every header, in order, when none is templated.
    let staticHeaders: HTTPHeaders?
    /// Every header in order: its value as text when it is fixed (rendered once, here), else
    /// its template (rate-limit counters, `Retry-After`).
    let headerTemplates: [HeaderPlan]

    /// One header and its wire form: the whole line when fixed, else "name: " for the value
    /// to be rendered after. A framing header (which the server writes itself) has none.
    /// A class: read from the array for every header of every answer, a struct of optionals
    /// was copied each time (~130 instructions, callgrind).
    final class HeaderPlan: Sendable {
        let name: String
        let fixed: String?
        let value: CompiledTemplate
        let wire: [UInt8]?

        init(name: String, value: String, literal: Bool = false) {
            self.name = name
            self.value = literal ? CompiledTemplate.literal(Array(value.utf8)) : CompiledTemplate.text(value)
            fixed = self.value.staticBytes.map { String(decoding: $0, as: UTF8.self) }
            if HTTPResponseWriter.isFramingHeader(name) {
                wire = nil
            } else {
                var line: [UInt8] = []
                line.appendUTF8(name)
                line.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
                if let fixed {
                    line.appendUTF8(fixed)
                    line.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
                }
                wire = line
            }
        }

        func append(to headers: inout HTTPHeaders, _ context: inout RenderContext) {
            if let fixed {
                append(fixed, to: &headers)
            } else {
                headers.appendRendered(name: name, prefix: wire) { value.render(&context, into: &$0) }
            }
        }

        func append(_ fixed: String, to headers: inout HTTPHeaders) {
            if let wire { headers.appendPrepared(name: name, value: fixed, line: wire) } else { headers.add(name: name, value: fixed) }
        }
    }

    /// The headers' names, fixed values and lines when some are rendered: each answer's
    /// headers are then its wire bytes alone. Nil when a framing name is among them.
    private let fieldPlan: FieldPlan?
    /// Bytes the headers take on the wire, about: rendered values are guessed at 24 bytes.
    private let wireSize: Int
    let body: CompiledTemplate
    let staticBody: [UInt8]?
    let delay: DelaySpec?
    let fault: ResponseFault?

    init(name: String, spec: ResponseSpec, vendorHeaders: [HeaderSpec]) {
        self.name = name
        self.status = spec.status
        self.description = spec.description
        self.delay = spec.delay
        self.fault = spec.fault
        var merged = vendorHeaders
        for header in spec.headers {
            if let i = merged.firstIndex(where: { HTTPHeaders.equalsIgnoringCase($0.name, header.name) }) {
                merged[i] = header
            } else {
                merged.append(header)
            }
        }
        switch spec.body {
        case .none:
            body = CompiledTemplate(segments: [])
        case .json(let json):
            body = spec.literal ? .literal(json.serialized) : .json(json)
            if !merged.contains(where: { HTTPHeaders.equalsIgnoringCase($0.name, "Content-Type") }) {
                merged.append(HeaderSpec(name: "Content-Type", value: "application/json"))
            }
        case .text(let text):
            body = spec.literal ? .literal(Array(text.utf8)) : .text(text)
            if !merged.contains(where: { HTTPHeaders.equalsIgnoringCase($0.name, "Content-Type") }) {
                merged.append(HeaderSpec(name: "Content-Type", value: "text/plain; charset=utf-8"))
            }
        }
        staticBody = body.staticBytes
        headerTemplates = merged.map { header in
            // A literal response's own values are sent as written; the vendor's stay templates.
            HeaderPlan(name: header.name, value: header.value, literal: spec.literal && spec.headers.contains { $0.name == header.name && $0.value == header.value })
        }
        wireSize = headerTemplates.reduce(0) { $0 + ($1.wire?.count ?? 0) + ($1.fixed == nil ? 24 : 0) }
        if headerTemplates.allSatisfy({ $0.fixed != nil }) {
            var headers = HTTPHeaders()
            for plan in headerTemplates { plan.append(plan.fixed!, to: &headers) }
            staticHeaders = headers
            fieldPlan = nil
        } else {
            staticHeaders = nil
            fieldPlan = FieldPlan(headerTemplates.map { ($0.name, $0.fixed) })
        }
    }

    func render(_ context: inout RenderContext) -> LabeledResponse {
        let headers: HTTPHeaders
        if let staticHeaders {
            headers = staticHeaders
        } else if let fieldPlan {
            headers = HTTPHeaders(plan: fieldPlan) { i, wire in headerTemplates[i].value.render(&context, into: &wire) }
        } else {
            var rendered = HTTPHeaders()
            // Two spare fields: the stages after (compression's `Vary` and `Content-Encoding`,
            // a trigger's mark) add them, and growing the array cost more than the room.
            rendered.reserveCapacity(headerTemplates.count + 2, wireBytes: wireSize)
            for i in headerTemplates.indices { headerTemplates[i].append(to: &rendered, &context) }
            headers = rendered
        }
        let bytes: [UInt8]
        if let staticBody {
            bytes = staticBody
        } else {
            var out: [UInt8] = []
            out.reserveCapacity(512)
            body.render(&context, into: &out)
            bytes = out
        }
        var delivery: ResponseDelivery?
        if delay != nil || fault != nil {
            let seconds = delay.map { delay in context.random.map { delay.seconds($0) } ?? delay.seconds(SeededRandom(seed: SeededRandom.freshSeed())) } ?? 0
            delivery = ResponseDelivery(delay: seconds, fault: fault)
        }
        // Made once and returned as made: built into a `var` and changed, the value was made
        // twice and copied (five retains and releases a request).
        return LabeledResponse(status: status, headers: headers, body: bytes, label: name, delivery: delivery)
    }
}

/// Classes, not structs: the request path passes these around, and a struct full of arrays
/// and strings costs a retain and a release per field at every copy.
final class CompiledEndpoint: Sendable {
    let id: String
    let method: String
    let displayPath: String
    /// The token scope the endpoint requires.
    let scope: String?
    /// Answered without authentication (`EndpointSpec.isPublic`).
    let isPublic: Bool
    /// Index 0 is the default response.
    let responses: [CompiledResponse]
    /// Scenario name, case-insensitively → index in `responses`.
    let names: NameTable<Int>
    /// Status → indexes of named (non-default) responses with that status.
    let byStatus: [Int: [Int]]
    /// Each response's state steps (by index); mostly empty.
    let steps: [[CompiledStep]]
    /// `ResponseNotes.tag` of its answers.
    let metricsTag: Int32
    /// The endpoint's `validate` rules, compiled with the endpoint: an endpoint never called
    /// costs no patterns or message templates at start-up.
    let validator: RequestValidator
    /// Requests answered their own way (`ExampleSpec`), in file order.
    let examples: [CompiledExample]

    init(id: String, method: String, displayPath: String, scope: String?, isPublic: Bool = false, responses: [CompiledResponse], names: NameTable<Int>, byStatus: [Int: [Int]], steps: [[CompiledStep]], metricsTag: Int32 = -1, validator: RequestValidator = .empty, examples: [CompiledExample] = []) {
        self.validator = validator
        self.examples = examples
        self.steps = steps
        self.metricsTag = metricsTag
        self.id = id
        self.method = method
        self.displayPath = displayPath
        self.scope = scope
        self.isPublic = isPublic
        self.responses = responses
        self.names = names
        self.byStatus = byStatus
    }
}

final class CompiledVendor: Sendable {
    /// A rate-limit group's bucket id from the vendor's and group's names (FNV-1a), so a
    /// reload that adds, removes or reorders files keeps every surviving group's buckets.
    static func stableID(_ vendor: String, _ group: String) -> Int {
        var hash = FNV1a()
        hash.add(vendor)
        var group = group
        group.withUTF8 { hash.add($0) }
        return hash.value
    }

    let spec: VendorSpec
    /// `/aftership`, or "" when mounted at the root.
    let mount: String
    let endpoints: LazyEndpoints
    let routes: [CompiledRoute]
    /// `routes` by path segment: what a request's path is matched against.
    let trie: RouteTrie
    /// Catalog entries by name, case-insensitively, for the triggers that answer with them.
    let catalog: NameTable<CompiledResponse>
    let authenticator: Authenticator?
    /// The rate-limit group of each endpoint (by index), if any.
    let endpointGroups: EndpointValues<RateLimiter.Group?>
    /// The group that covers endpoints not listed elsewhere (shown on unknown-path answers).
    let defaultGroup: RateLimiter.Group?
    /// The validation entry with `{{violations}}` put where its violations go (mode `all`).
    let validationResponse: CompiledResponse?
    /// `validationResponse`'s label, made once.
    let validationLabel: String
    /// The list item each violation becomes (mode `all`, collection `list`).
    let violationItem: ViolationItem
    /// The vendor's stored resources.
    let store: ResourceStore
    /// The `retry` rules clients are judged by (`RetrySpec.standard` when the file has none).
    let retry: CompiledRetry
    /// `settings` from the file, with `--set` applied.
    let settings: [String: JSONValue]
    /// Sequences declared in the file, by lowercased name.
    let sequences: NameTable<String>
    /// `--chaos` rules that apply to this vendor.
    let chaos: [ChaosRule]
    /// `ResponseNotes.tag` of answers about the vendor but no endpoint (each endpoint has its own).
    let vendorTag: Int32

    init(spec: VendorSpec, mount: String, index: Int = 0, rateLimitOverrides: [RateLimitOverride] = [], settingOverrides: [SettingOverride] = [], chaos: [ChaosRule] = [], environment: (String) -> String? = Authenticator.environment, carrying previous: CompiledVendor? = nil, metricsLabels: MetricsLabels? = nil, stateLimits: StateLimits = StateLimits()) {
        vendorTag = metricsLabels?.tag(vendor: spec.name, endpoint: nil) ?? -1
        self.chaos = spec.chaos + chaos.filter { $0.vendor == nil || $0.vendor == spec.name }
        self.spec = spec
        self.mount = mount
        retry = CompiledRetry(spec: spec.retry ?? .standard, vendor: spec, index: index)
        store = ResourceStore(collections: spec.collections, limits: stateLimits, carrying: previous?.store)
        var settings: [String: JSONValue] = [:]
        for (name, value) in spec.settings { settings[name] = value }
        for override in settingOverrides where override.vendor == spec.name { settings[override.name] = override.value }
        self.settings = settings
        // The first of two declarations of one name wins, as the file's order says.
        self.sequences = NameTable(spec.sequences.reversed().map { ($0.name, $0.steps) })
        authenticator = spec.triggers.auth.map { Authenticator(spec: $0, environment: environment) }
        (defaultGroup, endpointGroups) = Self.rateGroups(spec, overrides: rateLimitOverrides)
        // Each catalog entry is compiled once and shared (copy-on-write) by every endpoint offering it.
        let catalog = spec.errors.map { CompiledResponse(name: $0.name, spec: $0.response, vendorHeaders: spec.headers) }
        // The first entry of a name wins, as the file's order says.
        self.catalog = NameTable(catalog.reversed().map { ($0.name, $0) })
        let validation = spec.triggers.validation
        let messages = RequestValidator.LazyMessages(validation)
        validationResponse = Self.validationVariant(spec)
        validationLabel = validationResponse.map { "\($0.name) (validation)" } ?? ""
        violationItem = validation?.item.map(ViolationItem.init) ?? .standard
        var routes: [CompiledRoute] = []
        let bases = spec.basePaths.compactMap { basePath in (try? PathTemplate.parse(basePath, allowEmpty: true).get()).map { (basePath, $0) } }
        for index in spec.endpoints.indices {
            Self.routes(of: index, in: spec, mount: mount, bases: bases, into: &routes)
        }
        endpoints = LazyEndpoints(count: spec.endpoints.count) { index in
            let tag = metricsLabels?.tag(vendor: spec.name, endpoint: spec.endpoints[index].id) ?? -1
            return Self.compileEndpoint(index, of: spec, mount: mount, catalog: catalog, metricsTag: tag, messages: messages)
        }
        self.routes = Self.matchOrder(routes)
        trie = RouteTrie(count: self.routes.count) { [routes = self.routes] in (routes[$0].base, routes[$0].path) }
    }
}

extension CompiledVendor {
    /// `body` with the value at the dotted `path` replaced; nil when the path does not exist.
    static func replacing(_ path: [String], in body: JSONValue, with value: JSONValue) -> JSONValue? {
        guard let key = path.first else { return value }
        guard case .object(var members) = body, let i = members.firstIndex(where: { $0.key == key }),
              let replaced = replacing(Array(path.dropFirst()), in: members[i].value, with: value) else { return nil }
        members[i].value = replaced
        return .object(members)
    }
}

extension CompiledVendor {
    /// `body` with `value` at the dotted `path`, the last key added when absent; nil when a
    /// parent is missing.
    static func inserting(_ path: [String], in body: JSONValue, _ value: JSONValue) -> JSONValue? {
        guard let key = path.first else { return value }
        guard case .object(var members) = body else { return nil }
        if let i = members.firstIndex(where: { $0.key == key }) {
            guard let replaced = inserting(Array(path.dropFirst()), in: members[i].value, value) else { return nil }
            members[i].value = replaced
        } else {
            guard path.count == 1 else { return nil }
            members.append(JSONMember(key: key, value: value))
        }
        return .object(members)
    }
}

/// Turns a file's state steps into compiled ones for one endpoint, resolving collection,
/// key and response names (the validator has already checked they exist).
struct StateCompiler {
    let vendor: VendorSpec
    let names: NameTable<Int>
    let responses: [CompiledResponse]
    let specs: [ResponseSpec]

    func compile(_ steps: [StateStep]) -> [CompiledStep] {
        steps.compactMap(compile)
    }

    private func collection(_ name: String) -> Int? { vendor.collections.firstIndex { $0.name == name } }

    private func answer(_ ref: ResponseRef?) -> CompiledAnswer? {
        guard let ref, let index = names[ref.name] else { return nil }
        guard let at = ref.itemAt, case .json(let body) = specs[index].body,
              let inserted = CompiledVendor.inserting(at.split(separator: ".").map(String.init), in: body, .string("{{item}}")) else {
            return CompiledAnswer(index: index, variant: nil)
        }
        var spec = specs[index]
        spec.body = .json(inserted)
        return CompiledAnswer(index: index, variant: CompiledResponse(name: responses[index].name, spec: spec, vendorHeaders: vendor.headers))
    }

    private func fields(_ list: [(field: String, value: JSONValue)]) -> [(field: String, value: CompiledValue)] {
        list.map { ($0.field, CompiledValue($0.value)) }
    }

    private func compile(_ step: StateStep) -> CompiledStep? {
        switch step.op {
        case .find(let name, let whereFields, let found, let missing, let foreign, let optional):
            guard let c = collection(name), let (k, values) = Self.key(vendor.collections[c], whereFields) else { return nil }
            return .find(collection: c, key: k, values: values, found: answer(found), missing: answer(missing), foreign: answer(foreign), optional: optional)
        case .when(let value, let comparison, let operand, let response):
            guard let answer = answer(response) else { return nil }
            return .when(CompiledValue(value), comparison, CompiledValue(operand), answer)
        case .create(let name, let item, let conflict):
            guard let c = collection(name) else { return nil }
            return .create(collection: c, item: CompiledValue(item), conflict: answer(conflict))
        case .set(let value):
            guard case .object(let members) = value else { return nil }
            return .set(fields(members.map { ($0.key, $0.value) }))
        case .add(let list):
            return .add(fields(list))
        case .delete:
            return .delete
        case .list(let name, let filters, let limit, let page):
            guard let c = collection(name) else { return nil }
            return .list(collection: c, filters: fields(filters), limit: limit.map(CompiledValue.init), page: page.map(CompiledValue.init))
        case .forEach(let source, let nested):
            return .forEach(CompiledValue(source), compile(nested))
        }
    }

    /// The key whose fields (the client aside) are exactly the `where` fields, and the values
    /// in its order.
    static func key(_ collection: CollectionSpec, _ whereFields: [(field: String, value: JSONValue)]) -> (Int, [CompiledValue?])? {
        let wanted = Set(whereFields.map(\.field))
        for (k, fields) in collection.keys.enumerated() where Set(fields.filter { $0 != CollectionSpec.clientField }) == wanted && wanted.count == whereFields.count {
            return (k, fields.map { field in
                field == CollectionSpec.clientField ? nil : whereFields.first { $0.field == field }.map { CompiledValue($0.value) }
            })
        }
        return nil
    }
}

extension PathTemplate {
    var shapeWithNames: String {
        "/" + segments.map { if case .literal(let s) = $0 { s } else if case .parameter(let n) = $0 { "{\(n)}" } else { "" } }.joined(separator: "/")
    }
}
