import FaultlineHTTP

/// A vendor's `retry` rules ready for the judge: answer rules by name and status, and the
/// idempotency key of each endpoint.
final class CompiledRetry: Sendable {
    let spec: RetrySpec
    let vendor: String
    /// The vendor's place in the engine: one judge keeps every vendor's chains apart by it.
    let index: Int
    let endpointIDs: [String]
    /// Per endpoint, where its idempotency key goes (nil: it takes none).
    let keys: [RetrySpec.IdempotencyRule?]

    init(spec: RetrySpec, vendor: VendorSpec, index: Int) {
        self.spec = spec
        self.vendor = vendor.name
        self.index = index
        self.endpointIDs = vendor.endpoints.map(\.id)
        self.keys = vendor.endpoints.map { endpoint in spec.idempotency.first { $0.endpoints.contains(endpoint.id) } }
    }

    /// Whether an answer may be retried, and the vendor's words for it: the first rule naming
    /// its scenario or status; else 429, 5xx and broken connections may be.
    func classify(status: Int, scenario: String?, broken: Bool) -> (retryable: Bool, source: String?) {
        let name = scenario?.lowercased()
        for rule in spec.answers {
            if let name, rule.scenarios?.contains(where: { $0.lowercased() == name }) == true { return (rule.retryable, rule.source) }
            if !broken, rule.statuses?.contains(status) == true { return (rule.retryable, rule.source) }
        }
        return (broken || status == 429 || status >= 500, nil)
    }

    /// The wait an answer announces, in seconds, from the first of the vendor's sources it has.
    func announcedWait(_ response: HTTPResponse, wall: Double) -> Double? {
        for source in spec.wait {
            switch source {
            case .header(let name):
                if let value = response.headers[name].flatMap({ Double($0.trimmingWhitespace()) }), value.isFinite, value >= 0 { return value }
            case .resetHeader(let name):
                if let value = response.headers[name].flatMap({ Double($0.trimmingWhitespace()) }), value.isFinite { return max(0, value - wall) }
            case .body(let path):
                guard let body = try? JSONParser.parse(response.body) else { continue }
                var value: JSONValue? = body
                for key in path.split(separator: ".") { value = value?[String(key)] }
                if let seconds = value?.numberValue ?? value?.stringValue.flatMap({ Double($0) }), seconds.isFinite, seconds >= 0 { return seconds }
            }
        }
        return nil
    }

    /// The idempotency key a request carries for endpoint `endpoint`, and its identity: method,
    /// path and body, the key left out, so that two attempts of one request match.
    func identify(_ request: HTTPRequest, endpoint: Int) -> (identity: Int, key: String?) {
        var hasher = Hasher()
        hasher.combine(request.method)
        hasher.combine(request.path)
        guard let rule = keys[endpoint] else {
            request.body.withUnsafeBytes { hasher.combine(bytes: $0) }
            return (hasher.finalize(), nil)
        }
        if let header = rule.header {
            request.body.withUnsafeBytes { hasher.combine(bytes: $0) }
            return (hasher.finalize(), request.headers[header])
        }
        guard let field = rule.bodyField, case .object(let members)? = try? JSONParser.parse(request.body) else {
            request.body.withUnsafeBytes { hasher.combine(bytes: $0) }
            return (hasher.finalize(), nil)
        }
        let key = members.first { $0.key == field }?.value.stringValue
        hasher.combine(JSONValue.object(members.filter { $0.key != field }).serialized)
        return (hasher.finalize(), key)
    }
}
