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
    public struct Options: Sendable {
        /// The query parameter that names a scenario; removed before templates see the query.
        public var scenarioParameter: String = "scenario"
        /// The header that names a scenario, for clients that cannot change URLs.
        public var scenarioHeader: String = "X-Faultline-Scenario"
        /// Mount only this vendor, at `/` instead of `/<vendor>`.
        public var singleVendor: String?

        public init(scenarioParameter: String = "scenario", scenarioHeader: String = "X-Faultline-Scenario", singleVendor: String? = nil) {
            self.scenarioParameter = scenarioParameter
            self.scenarioHeader = scenarioHeader
            self.singleVendor = singleVendor
        }
    }

    public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public let options: Options
    public let catalog: ScenarioCatalog
    private let vendors: [CompiledVendor]
    /// First path segment → vendor, when vendors are mounted under their names.
    private let mounts: [Substring: Int]

    public init(catalog: ScenarioCatalog, options: Options = Options()) throws {
        self.options = options
        if let only = options.singleVendor {
            guard let spec = catalog.vendors.first(where: { $0.name == only }) else {
                throw ConfigurationError(description: "no vendor named '\(only)' (loaded: \(catalog.vendors.map(\.name).joined(separator: ", ")))")
            }
            self.catalog = ScenarioCatalog(vendors: [spec])
            vendors = [CompiledVendor(spec: spec, mount: "")]
            mounts = [:]
        } else {
            self.catalog = catalog
            vendors = catalog.vendors.map { CompiledVendor(spec: $0, mount: "/" + $0.name) }
            var mounts: [Substring: Int] = [:]
            for (i, vendor) in catalog.vendors.enumerated() { mounts[Substring(vendor.name)] = i }
            self.mounts = mounts
        }
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        let segments = Self.segments(of: request.path)

        let vendorIndex: Int
        var routeSegments = segments[...]
        if options.singleVendor != nil {
            vendorIndex = 0
        } else {
            guard let first = segments.first, let index = mounts[first] else {
                return FaultlineResponses.noEndpoint(request: request, vendors: vendors, within: nil)
            }
            vendorIndex = index
            routeSegments = segments.dropFirst()
        }
        let vendor = vendors[vendorIndex]
        let method = request.method == "HEAD" ? "GET" : request.method

        var allowed: [String] = []
        for route in vendor.routes {
            guard let parameters = Self.match(route.segments, routeSegments) else { continue }
            let endpoint = vendor.endpoints[route.endpoint]
            guard endpoint.method == method else {
                if !allowed.contains(endpoint.method) { allowed.append(endpoint.method) }
                continue
            }
            return respond(request, vendor: vendor, endpoint: endpoint, pathParameters: parameters)
        }
        if !allowed.isEmpty {
            return FaultlineResponses.methodNotAllowed(request: request, allowed: allowed)
        }
        return FaultlineResponses.noEndpoint(request: request, vendors: vendors, within: vendorIndex)
    }

    private func respond(_ request: HTTPRequest, vendor: CompiledVendor, endpoint: CompiledEndpoint, pathParameters: [(name: String, value: Substring)]) -> HTTPResponse {
        var index = 0
        if let name = scenarioName(in: request), !name.isEmpty {
            switch Self.select(name, in: endpoint) {
            case .found(let i): index = i
            case .unknown:
                return FaultlineResponses.unknownScenario(name, vendor: vendor, endpoint: endpoint)
            case .ambiguous(let candidates):
                return FaultlineResponses.ambiguousStatus(name, vendor: vendor, endpoint: endpoint, candidates: candidates)
            }
        }
        var context = RenderContext(request: request, pathParameters: pathParameters, scenarioParameter: options.scenarioParameter)
        return endpoint.responses[index].render(&context)
    }

    enum Selection: Equatable {
        case found(Int)
        case unknown
        case ambiguous([Int])
    }

    /// A name first (case-insensitively); then a bare status that exactly one named response has.
    static func select(_ name: String, in endpoint: CompiledEndpoint) -> Selection {
        if let i = endpoint.names[name] ?? endpoint.names[name.lowercased()] { return .found(i) }
        if name.utf8.count == 3, let status = Int(name), let candidates = endpoint.byStatus[status] {
            return candidates.count == 1 ? .found(candidates[0]) : .ambiguous(candidates)
        }
        return .unknown
    }

    /// The query parameter wins over the header when both are given.
    private func scenarioName(in request: HTTPRequest) -> String? {
        if let query = request.query, let value = QueryString.first(options.scenarioParameter, in: query) { return value }
        return request.headers[options.scenarioHeader]
    }

    /// `/a/b` → `a`, `b`, split on bytes; a trailing slash is tolerated.
    static func segments(of path: Substring) -> [Substring] {
        var segments: [Substring] = []
        segments.reserveCapacity(8)
        let utf8 = path.utf8
        var start = utf8.startIndex
        if start != utf8.endIndex, utf8[start] == UInt8(ascii: "/") { start = utf8.index(after: start) }
        var cursor = start
        while cursor != utf8.endIndex {
            if utf8[cursor] == UInt8(ascii: "/") {
                segments.append(path[start..<cursor])
                start = utf8.index(after: cursor)
            }
            cursor = utf8.index(after: cursor)
        }
        if start != utf8.endIndex || segments.isEmpty { segments.append(path[start..<utf8.endIndex]) }
        return segments
    }

    private static func match(_ template: [PathTemplate.Segment], _ segments: ArraySlice<Substring>) -> [(name: String, value: Substring)]? {
        guard template.count == segments.count else { return nil }
        var parameters: [(name: String, value: Substring)] = []
        parameters.reserveCapacity(template.count)
        for (part, segment) in zip(template, segments) {
            switch part {
            case .literal(let literal):
                guard segment.utf8.elementsEqual(literal.utf8) else { return nil }
            case .parameter(let name):
                guard !segment.isEmpty else { return nil }
                parameters.append((name, segment))
            }
        }
        return parameters
    }
}
