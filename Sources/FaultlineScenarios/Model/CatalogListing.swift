/// The machine-readable catalog (`faultline list --json`): vendors, where they are mounted,
/// their endpoints, and every scenario each endpoint offers with its status.
public enum CatalogListing {
    /// `bodies`: each scenario's body as its file writes it (templates unrendered), for the
    /// live page's search and examples.
    /// `render(vendor, path, endpoint index, response index)`: the scenario rendered, when given.
    public static func json(_ catalog: ScenarioCatalog, singleVendor: Bool = false, bodies: Bool = false, render: ((String, String, Int, Int) -> String?)? = nil) -> JSONValue {
        .object([JSONMember(key: "vendors", value: .array(catalog.vendors.map { vendor in
            let compiled = CompiledVendor(spec: vendor, mount: singleVendor ? "" : "/" + vendor.name)
            return .object([
                JSONMember(key: "vendor", value: .string(vendor.name)),
                JSONMember(key: "title", value: vendor.title.map { .string($0) } ?? .null),
                JSONMember(key: "file", value: .string(vendor.file)),
                JSONMember(key: "mount", value: .string(compiled.mount.isEmpty ? "/" : compiled.mount)),
                JSONMember(key: "basePaths", value: .array(vendor.basePaths.map { .string($0) })),
                JSONMember(key: "basePathParameters", value: .object(vendor.basePathParameters.map { JSONMember(key: $0.name, value: .array($0.values.map { .string($0) })) })),
                JSONMember(key: "endpoints", value: .array(zip(vendor.endpoints, compiled.endpoints).enumerated().map { position, pair in
                    let (spec, endpoint) = pair
                    return
                    .object([
                        JSONMember(key: "id", value: .string(endpoint.id)),
                        JSONMember(key: "method", value: .string(endpoint.method)),
                        JSONMember(key: "paths", value: .array(compiled.routes.filter { $0.id == endpoint.id }.map { .string($0.display) })),
                        JSONMember(key: "scenarios", value: .array(endpoint.responses.enumerated().map { i, response in
                            var members = [
                                JSONMember(key: "name", value: .string(response.name)),
                                JSONMember(key: "status", value: .number(String(response.status))),
                                JSONMember(key: "scope", value: .string(i == 0 ? "default" : scope(of: response.name, spec: spec, vendor: vendor))),
                            ]
                            if let description = response.description { members.append(JSONMember(key: "description", value: .string(description))) }
                            if bodies, let written = written(response.name, index: i, spec: spec, vendor: vendor) {
                                switch written.body {
                                case .json(let value): members.append(JSONMember(key: "body", value: value))
                                case .text(let text): members.append(JSONMember(key: "text", value: .string(text)))
                                case .none: break
                                }
                                if let render, let text = render(vendor.name, compiled.routes.first { $0.id == endpoint.id }?.display ?? "/", position, i) {
                                    members.append(JSONMember(key: "rendered", value: .string(text)))
                                }
                            }
                            return .object(members)
                        })),
                    ])
                })),
            ])
        }))])
    }

    /// The response a scenario name stands for on an endpoint, as written.
    private static func written(_ name: String, index: Int, spec: EndpointSpec, vendor: VendorSpec) -> ResponseSpec? {
        if index == 0 { return spec.response }
        return spec.scenarios.first(where: { $0.name == name })?.response ?? vendor.errors.first(where: { $0.name == name })?.response
    }

    private static func scope(of name: String, spec: EndpointSpec, vendor: VendorSpec) -> String {
        if spec.scenarios.contains(where: { $0.name == name }) { return "endpoint" }
        if let entry = vendor.errors.first(where: { $0.name == name }), entry.endpoints != nil { return "endpoint" }
        return "vendor"
    }

    /// A plain-text listing for people.
    public static func text(_ catalog: ScenarioCatalog, singleVendor: Bool = false) -> String {
        var lines: [String] = []
        for vendor in catalog.vendors {
            let compiled = CompiledVendor(spec: vendor, mount: singleVendor ? "" : "/" + vendor.name)
            lines.append("\(vendor.name) — \(vendor.title ?? vendor.name) (\(vendor.file))")
            let vendorWide = vendor.errors.filter { $0.endpoints == nil }.map { "\($0.name) \($0.response.status)" }
            if !vendorWide.isEmpty { lines.append("  on every endpoint: \(vendorWide.joined(separator: ", "))") }
            for endpoint in compiled.endpoints {
                lines.append("  \(endpoint.method) \(endpoint.displayPath)  [\(endpoint.id)] default \(endpoint.responses[0].status)")
                let own = endpoint.responses.dropFirst().filter { response in !vendorWide.contains("\(response.name) \(response.status)") }
                if !own.isEmpty { lines.append("    also: \(own.map { "\($0.name) \($0.status)" }.joined(separator: ", "))") }
            }
        }
        return lines.joined(separator: "\n")
    }
}
