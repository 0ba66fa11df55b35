import FaultlineHTTP

/// Answers from Faultline itself, never shaped like a vendor's: a `Faultline-Error` header
/// and a `{"faultline": {...}}` body that says what is available instead.
enum FaultlineResponses {
    static let errorHeader = "Faultline-Error"

    private static func make(status: Int, code: String, members: [JSONMember], extraHeaders: [(String, String)] = []) -> LabeledResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: errorHeader, value: code)
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        let body = JSONValue.object([JSONMember(key: "faultline", value: .object([JSONMember(key: "error", value: .string(code))] + members))])
        return LabeledResponse(status: status, headers: headers, body: body.serialized, label: "faultline:\(code)")
    }

    static func noEndpoint(request: HTTPRequest, vendors: [CompiledVendor], within vendorIndex: Int?) -> LabeledResponse {
        var members = [JSONMember(key: "message", value: .string("No endpoint matches \(request.method) \(request.path)."))]
        if let vendorIndex {
            let vendor = vendors[vendorIndex]
            members.append(JSONMember(key: "vendor", value: .string(vendor.spec.name)))
            members.append(JSONMember(key: "endpoints", value: .array(vendor.routes.map { route in
                .string("\(route.method) \(route.display)")
            })))
        } else {
            members.append(JSONMember(key: "vendors", value: .array(vendors.map { vendor in
                .object([
                    JSONMember(key: "vendor", value: .string(vendor.spec.name)),
                    JSONMember(key: "mount", value: .string(vendor.mount.isEmpty ? "/" : vendor.mount)),
                ])
            })))
        }
        return make(status: 404, code: "no-endpoint", members: members)
    }

    static func methodNotAllowed(request: HTTPRequest, allowed methods: [String]) -> LabeledResponse {
        make(
            status: 405,
            code: "method-not-allowed",
            members: [
                JSONMember(key: "message", value: .string("\(request.path) does not take \(request.method).")),
                JSONMember(key: "allowed", value: .array(methods.map { .string($0) })),
            ],
            extraHeaders: [("Allow", methods.joined(separator: ", "))]
        )
    }

    static func invalidSequence(_ text: String) -> LabeledResponse {
        make(status: 400, code: "invalid-sequence", members: [
            JSONMember(key: "message", value: .string("'\(text)' is not a scenario sequence: write names separated by commas, each optionally repeated with *N (1 to 10000), e.g. 500,500,default or 429*3,default.")),
        ])
    }

    /// A Faultline parameter (`delay`, `dribble`) with a malformed or out-of-range value.
    static func invalidParameter(_ name: String, _ error: ParameterError) -> LabeledResponse {
        make(status: 400, code: "invalid-parameter", members: [
            JSONMember(key: "message", value: .string("Query parameter '\(name)': \(error.description).")),
            JSONMember(key: "parameter", value: .string(name)),
        ])
    }

    /// A write the state limits refused (507 Insufficient Storage, RFC 4918 §11.5): never a
    /// vendor's answer, so a test sees at once that Faultline, not the client, ran out of room.
    static func stateLimit(_ refusal: ResourceStore.Refusal) -> LabeledResponse {
        let message: String
        switch refusal {
        case .itemTooLarge(let bytes, let limit):
            message = "The item takes about \(bytes) bytes, over the \(limit) bytes one client may store in a vendor (--max-client-state-bytes)."
        case .itemTooDeep(let depth, let limit):
            message = "The item nests \(depth) levels deep, over the limit of \(limit)."
        case .full(let clients, let bytes, let protected):
            message = "The vendor's stored state is full (\(clients) clients or \(bytes) bytes, --max-state-bytes) and every client was active in the last \(Int(protected)) s, so none is forgotten to make room. POST /__faultline/reset frees it."
        }
        return make(status: 507, code: "state-limit", members: [JSONMember(key: "message", value: .string(message))])
    }

    /// Faultline's own JSON answer with a `Faultline-Error` header (also used by the admin API).
    static func error(status: Int, code: String, message: String, extraHeaders: [(String, String)] = []) -> LabeledResponse {
        make(status: status, code: code, members: [JSONMember(key: "message", value: .string(message))], extraHeaders: extraHeaders)
    }

    /// A proxied request's upstream could not be had (`PassThrough`): 502.
    static func upstreamFailure(code: String, message: String, upstream: String) -> LabeledResponse {
        make(status: 502, code: code, members: [
            JSONMember(key: "message", value: .string(message)),
            JSONMember(key: "upstream", value: .string(upstream)),
        ])
    }

    static func unknownScenario(_ name: String, vendor: CompiledVendor, endpoint: CompiledEndpoint) -> LabeledResponse {
        make(status: 400, code: "unknown-scenario", members: [
            JSONMember(key: "message", value: .string("Scenario '\(name)' is not offered by \(vendor.spec.name) endpoint '\(endpoint.id)' (\(endpoint.method) \(endpoint.displayPath)).")),
            JSONMember(key: "vendor", value: .string(vendor.spec.name)),
            JSONMember(key: "endpoint", value: .string(endpoint.id)),
            JSONMember(key: "available", value: available(endpoint, endpoint.responses.indices)),
        ])
    }

    static func ambiguousStatus(_ name: String, vendor: CompiledVendor, endpoint: CompiledEndpoint, candidates: [Int]) -> LabeledResponse {
        make(status: 400, code: "ambiguous-scenario", members: [
            JSONMember(key: "message", value: .string("Status \(name) matches several scenarios of \(vendor.spec.name) endpoint '\(endpoint.id)'; name one of them.")),
            JSONMember(key: "vendor", value: .string(vendor.spec.name)),
            JSONMember(key: "endpoint", value: .string(endpoint.id)),
            JSONMember(key: "available", value: available(endpoint, candidates)),
        ])
    }

    private static func available<C: Collection>(_ endpoint: CompiledEndpoint, _ indexes: C) -> JSONValue where C.Element == Int {
        .array(indexes.map { i in
            .object([
                JSONMember(key: "name", value: .string(endpoint.responses[i].name)),
                JSONMember(key: "status", value: .number(String(endpoint.responses[i].status))),
            ])
        })
    }
}

/// A request Faultline answers itself before routing (a malformed Faultline parameter).
struct RefusedRequest: Error {
    let response: LabeledResponse
    init(_ response: LabeledResponse) { self.response = response }
}
