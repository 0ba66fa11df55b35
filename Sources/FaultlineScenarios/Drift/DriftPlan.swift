import FaultlineHTTP

/// `faultline drift`: requests a vendor file says how to answer, asked of the live API, and
/// the answers compared with the file (`DriftComparison`). Only requests that are safe to
/// repeat are sent: GETs, and those the user lists.
public enum DriftPlan {
    /// One request to send, and what the file says it gets.
    public struct Probe: Sendable {
        public var endpoint: String
        /// `response` (the endpoint's own) or `example N`.
        public var source: String
        public var method: String
        /// Base path, path and query, as sent (after the upstream URL's own base path).
        public var target: String
        public var body: [UInt8]
        /// Whether the recorded request carried a credential field: true sends the `--header`s,
        /// false sends none of them; nil (not recorded) sends them.
        public var credential: Bool?
        public var expected: ResponseSpec
        /// The vendor's fields with the response's own over them.
        public var expectedHeaders: [HeaderSpec]
    }

    public struct Skipped: Sendable, Equatable {
        public var endpoint: String
        public var reason: String
    }

    /// The probes for `vendor`: each example of a repeatable endpoint, else its own response
    /// when its path has no parameters. `include` lists more endpoints to repeat, by id or as
    /// `METHOD /path` (the file's path).
    /// `secrets` gives values for query parameters an example keeps no value of (`?api_key=`).
    public static func probes(for vendor: VendorSpec, include: [String] = [], secrets: [String: String] = [:]) -> (probes: [Probe], skipped: [Skipped]) {
        var probes: [Probe] = []
        var skipped: [Skipped] = []
        for endpoint in vendor.endpoints {
            let listed = include.contains(endpoint.id) || include.contains("\(endpoint.method) \(endpoint.path)")
            guard endpoint.method == "GET" || listed else {
                skipped.append(Skipped(endpoint: endpoint.id, reason: "\(endpoint.method) is not repeated unless listed (--include \(endpoint.id))"))
                continue
            }
            guard let base = basePath(of: endpoint, in: vendor) else {
                skipped.append(Skipped(endpoint: endpoint.id, reason: "its base path has a parameter without declared values"))
                continue
            }
            let headers = vendor.headers
            func expected(_ response: ResponseSpec) -> [HeaderSpec] {
                var merged = headers
                for header in response.headers {
                    merged.removeAll { $0.name.lowercased() == header.name.lowercased() }
                    merged.append(header)
                }
                return merged
            }
            if endpoint.examples.isEmpty {
                guard !endpoint.path.contains("{") else {
                    skipped.append(Skipped(endpoint: endpoint.id, reason: "no recorded request to repeat, and its path has parameters"))
                    continue
                }
                probes.append(Probe(endpoint: endpoint.id, source: "response", method: endpoint.method, target: join(base, endpoint.path), body: [], credential: nil, expected: endpoint.response, expectedHeaders: expected(endpoint.response)))
                continue
            }
            for (i, example) in endpoint.examples.enumerated() {
                guard let path = fill(endpoint.path, with: example.parameters) else {
                    skipped.append(Skipped(endpoint: endpoint.id, reason: "example \(i + 1) does not give every path parameter"))
                    continue
                }
                var target = join(base, path)
                if let query = example.query, !query.isEmpty {
                    let missing = query.filter { $0.value == nil && secrets[$0.name] == nil }.map(\.name)
                    guard missing.isEmpty else {
                        skipped.append(Skipped(endpoint: endpoint.id, reason: "example \(i + 1) needs a value for \(missing.joined(separator: ", ")) (--query \(missing[0])=VALUE)"))
                        continue
                    }
                    target += "?" + query.map { PercentEncoding.encode($0.name) + "=" + PercentEncoding.encode($0.value ?? secrets[$0.name]!) }.joined(separator: "&")
                }
                let credential: Bool? = !example.present.isEmpty ? true : (!example.absent.isEmpty ? false : nil)
                probes.append(Probe(endpoint: endpoint.id, source: "example \(i + 1)", method: endpoint.method, target: target, body: example.body?.serialized ?? [], credential: credential, expected: example.response, expectedHeaders: expected(example.response)))
            }
        }
        return (probes, skipped)
    }

    /// The endpoint's first base path, its parameters given their first declared value.
    private static func basePath(of endpoint: EndpointSpec, in vendor: VendorSpec) -> String? {
        guard let base = endpoint.basePaths?.first ?? vendor.basePaths.first else { return "" }
        return fill(base, with: vendor.basePathParameters.compactMap { parameter in parameter.values.first.map { (parameter.name, $0) } })
    }

    /// The path with each `{name}` replaced, in one pass (a value may hold braces itself).
    private static func fill(_ path: String, with parameters: [(name: String, value: String)]) -> String? {
        var out = ""
        var rest = path[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            guard let value = parameters.first(where: { $0.name == name })?.value else { return nil }
            out += value
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    private static func join(_ base: String, _ path: String) -> String {
        path == "/" && !base.isEmpty ? base : base + path
    }
}
