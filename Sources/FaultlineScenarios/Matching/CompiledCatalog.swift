import FaultlineHTTP

/// One response ready to send: headers merged (vendor-wide, then its own), body compiled.
struct CompiledResponse: Sendable {
    let name: String
    let status: Int
    let description: String?
    /// Every header, in order, when none is templated.
    let staticHeaders: HTTPHeaders?
    let headerTemplates: [(name: String, value: CompiledTemplate)]
    let body: CompiledTemplate
    let staticBody: [UInt8]?

    init(name: String, spec: ResponseSpec, vendorHeaders: [HeaderSpec]) {
        self.name = name
        self.status = spec.status
        self.description = spec.description
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
            body = .json(json)
            if !merged.contains(where: { HTTPHeaders.equalsIgnoringCase($0.name, "Content-Type") }) {
                merged.append(HeaderSpec(name: "Content-Type", value: "application/json"))
            }
        case .text(let text):
            body = .text(text)
            if !merged.contains(where: { HTTPHeaders.equalsIgnoringCase($0.name, "Content-Type") }) {
                merged.append(HeaderSpec(name: "Content-Type", value: "text/plain; charset=utf-8"))
            }
        }
        staticBody = body.staticBytes
        headerTemplates = merged.map { ($0.name, CompiledTemplate.text($0.value)) }
        if headerTemplates.allSatisfy({ $0.value.staticBytes != nil }) {
            staticHeaders = HTTPHeaders(merged.map { ($0.name, $0.value) })
        } else {
            staticHeaders = nil
        }
    }

    func render(_ context: inout RenderContext) -> HTTPResponse {
        let headers: HTTPHeaders
        if let staticHeaders {
            headers = staticHeaders
        } else {
            var rendered = HTTPHeaders()
            rendered.reserveCapacity(headerTemplates.count)
            var scratch: [UInt8] = []
            for (name, template) in headerTemplates {
                scratch.removeAll(keepingCapacity: true)
                template.render(&context, into: &scratch)
                // A value taken from the request must not be able to inject header lines.
                scratch.removeAll { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
                rendered.add(name: name, value: String(decoding: scratch, as: UTF8.self))
            }
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
        return HTTPResponse(status: status, headers: headers, body: bytes, logLabel: name)
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
    /// Index 0 is the default response.
    let responses: [CompiledResponse]
    /// Lowercased scenario name → index in `responses`.
    let names: [String: Int]
    /// Status → indexes of named (non-default) responses with that status.
    let byStatus: [Int: [Int]]

    init(id: String, method: String, displayPath: String, scope: String?, responses: [CompiledResponse], names: [String: Int], byStatus: [Int: [Int]]) {
        self.id = id
        self.method = method
        self.displayPath = displayPath
        self.scope = scope
        self.responses = responses
        self.names = names
        self.byStatus = byStatus
    }
}

final class CompiledRoute: Sendable {
    let endpoint: Int
    let segments: [PathTemplate.Segment]
    let display: String
    /// The base path this route was built from, as written in the file.
    let basePath: String

    init(endpoint: Int, segments: [PathTemplate.Segment], display: String, basePath: String) {
        self.endpoint = endpoint
        self.segments = segments
        self.display = display
        self.basePath = basePath
    }
}

final class CompiledVendor: Sendable {
    let spec: VendorSpec
    /// `/aftership`, or "" when mounted at the root.
    let mount: String
    let endpoints: [CompiledEndpoint]
    let routes: [CompiledRoute]
    /// Catalog entries by lowercased name, for the triggers that answer with them.
    let catalog: [String: CompiledResponse]
    let authenticator: Authenticator?
    /// The rate-limit group of each endpoint (by index), if any.
    let endpointGroups: [RateLimiter.Group?]
    /// The group that covers endpoints not listed elsewhere (shown on unknown-path answers).
    let defaultGroup: RateLimiter.Group?
    /// Each endpoint's `validate` rules (by index).
    let validators: [RequestValidator]
    /// The validation entry with `{{violations}}` put where its violations go (mode `all`).
    let validationResponse: CompiledResponse?

    init(spec: VendorSpec, mount: String, index: Int = 0, rateLimitOverrides: [RateLimitOverride] = [], environment: (String) -> String? = Authenticator.environment) {
        self.spec = spec
        self.mount = mount
        authenticator = spec.triggers.auth.map { Authenticator(spec: $0, environment: environment) }
        var groups: [RateLimiter.Group] = []
        for (i, group) in (spec.triggers.rateLimits?.groups ?? []).enumerated() {
            var compiled = RateLimiter.Group(id: index * 1_000 + i, name: group.name, limit: group.limit, window: group.window)
            for override in rateLimitOverrides where override.vendor == spec.name && (override.group == nil || override.group == group.name) {
                compiled.limit = override.limit
                compiled.window = override.window
            }
            groups.append(compiled)
        }
        let rateGroups = spec.triggers.rateLimits?.groups ?? []
        defaultGroup = rateGroups.firstIndex(where: { $0.endpoints == nil }).map { groups[$0] }
        endpointGroups = spec.endpoints.map { endpoint in
            if let i = rateGroups.firstIndex(where: { $0.endpoints?.contains(endpoint.id) == true }) { return groups[i] }
            if let i = rateGroups.firstIndex(where: { $0.endpoints == nil }) { return groups[i] }
            return nil
        }
        var endpoints: [CompiledEndpoint] = []
        var routes: [CompiledRoute] = []
        let bases = spec.basePaths.compactMap { try? PathTemplate.parse($0, allowEmpty: true).get() }
        // Each catalog entry is compiled once and shared (copy-on-write) by every endpoint offering it.
        let catalog = spec.errors.map { CompiledResponse(name: $0.name, spec: $0.response, vendorHeaders: spec.headers) }
        self.catalog = Dictionary(catalog.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        let validation = spec.triggers.validation
        let messages = spec.endpoints.contains { !$0.validate.isEmpty } ? RequestValidator.messages(for: validation) : [:]
        var patterns: [String: Regex<AnyRegexOutput>] = [:]
        validators = spec.endpoints.map { endpoint in
            endpoint.validate.isEmpty ? .empty : RequestValidator(rules: endpoint.validate, nameStyle: validation?.nameStyle ?? .path, messages: messages, patterns: &patterns)
        }
        if let validation, validation.mode == .all, let at = validation.at,
           let entry = spec.errors.first(where: { $0.name.lowercased() == validation.response.lowercased() }),
           case .json(let body) = entry.response.body,
           let replaced = Self.replacing(at.split(separator: ".").map(String.init), in: body, with: .string("{{violations}}")) {
            var variant = entry.response
            variant.body = .json(replaced)
            validationResponse = CompiledResponse(name: entry.name, spec: variant, vendorHeaders: spec.headers)
        } else {
            validationResponse = nil
        }
        for (endpointIndex, endpoint) in spec.endpoints.enumerated() {
            var responses = [CompiledResponse(name: "default", spec: endpoint.response, vendorHeaders: spec.headers)]
            for named in endpoint.scenarios {
                responses.append(CompiledResponse(name: named.name, spec: named.response, vendorHeaders: spec.headers))
            }
            for (i, named) in spec.errors.enumerated() where named.endpoints == nil || named.endpoints!.contains(endpoint.id) {
                responses.append(catalog[i])
            }
            var names: [String: Int] = [:]
            var byStatus: [Int: [Int]] = [:]
            for (i, response) in responses.enumerated() {
                names[response.name.lowercased()] = i
                if i > 0 { byStatus[response.status, default: []].append(i) }
            }
            let path = (try? PathTemplate.parse(endpoint.path, allowEmpty: false).get()) ?? PathTemplate(segments: [])
            for (base, basePath) in zip(bases, spec.basePaths) {
                let full = PathTemplate(segments: base.segments + path.segments)
                routes.append(CompiledRoute(endpoint: endpointIndex, segments: full.segments, display: mount + (full.segments.isEmpty ? "/" : full.shapeWithNames), basePath: basePath))
            }
            let displayBase = spec.basePaths.first ?? ""
            endpoints.append(CompiledEndpoint(id: endpoint.id, method: endpoint.method, displayPath: mount + displayBase + (endpoint.path == "/" && !displayBase.isEmpty ? "" : endpoint.path), scope: endpoint.scope, responses: responses, names: names, byStatus: byStatus))
        }
        self.endpoints = endpoints
        // A literal segment beats a parameter in the same place, whatever the file order:
        // `/couriers/all` is tried before `/couriers/{slug}`.
        self.routes = routes.enumerated().sorted { a, b in
            // Only routes with as many segments can match the same path; order by length first
            // so the comparison stays a strict weak ordering.
            if a.element.segments.count != b.element.segments.count { return a.element.segments.count < b.element.segments.count }
            for (x, y) in zip(a.element.segments, b.element.segments) {
                switch (x, y) {
                case (.literal, .parameter): return true
                case (.parameter, .literal): return false
                default: continue
                }
            }
            return a.offset < b.offset
        }.map(\.element)
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

extension PathTemplate {
    var shapeWithNames: String {
        "/" + segments.map { if case .literal(let s) = $0 { s } else if case .parameter(let n) = $0 { "{\(n)}" } else { "" } }.joined(separator: "/")
    }
}
