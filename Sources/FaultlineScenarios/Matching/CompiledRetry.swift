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
    let keys: EndpointValues<RetrySpec.IdempotencyRule?>

    init(spec: RetrySpec, vendor: VendorSpec, index: Int) {
        self.spec = spec
        self.vendor = vendor.name
        self.index = index
        self.endpointIDs = vendor.endpoints.map(\.id)
        let rule = { (endpoint: Int) -> Int in
            spec.idempotency.isEmpty ? -1 : spec.idempotency.firstIndex { $0.endpoints.contains(vendor.endpoints[endpoint].id) } ?? -1
        }
        self.keys = EndpointValues(count: vendor.endpoints.count, key: rule) { endpoint in
            let index = rule(endpoint)
            return index < 0 ? nil : spec.idempotency[index]
        }
        // Every name the vendor answers with, as the engine reports it, to the first rule that
        // names it (rules name them in any case); and every status to the first rule listing it.
        let names = vendor.errors.map(\.name) + vendor.endpoints.flatMap { $0.scenarios.map(\.name) } + BuiltinScenarios.faults.keys.sorted()
        var byName: [String: Int] = [:]
        for name in names where byName[name] == nil {
            let lowered = name.lowercased()
            if let rule = spec.answers.firstIndex(where: { $0.scenarios?.contains { $0.lowercased() == lowered } == true }) { byName[name] = rule }
        }
        var byStatus = [Int32](repeating: -1, count: 600)
        for (i, rule) in spec.answers.enumerated() {
            for status in rule.statuses ?? [] where byStatus.indices.contains(status) && byStatus[status] < 0 { byStatus[status] = Int32(i) }
        }
        self.ruleByName = byName
        self.ruleByStatus = byStatus
    }

    /// The first answer rule naming a scenario, by the name the engine reports; by status.
    private let ruleByName: [String: Int]
    /// Indexed by status (an HTTP status is three digits): -1 where no rule lists it.
    private let ruleByStatus: [Int32]

    /// Whether an answer may be retried, and the vendor's words for it: the first rule naming
    /// its scenario or status; else 429, 5xx and broken connections may be.
    func classify(status: Int, scenario: String?, broken: Bool) -> (retryable: Bool, source: String?) {
        let byName = ruleByName.isEmpty ? Int.max : scenario.flatMap { ruleByName[$0] } ?? Int.max
        let listed = broken || !ruleByStatus.indices.contains(status) ? -1 : Int(ruleByStatus[status])
        let byStatus = listed < 0 ? Int.max : listed
        let first = min(byName, byStatus)
        guard first < Int.max else { return (broken || status == 429 || status >= 500, nil) }
        return (spec.answers[first].retryable, spec.answers[first].source)
    }

    /// The wait an answer announces, in seconds, from the first of the vendor's sources it has.
    func announcedWait(_ response: HTTPResponse, wall: Double) -> Double? {
        for source in spec.wait {
            switch source {
            case .header(let name):
                var value: Double?
                if response.headers.withValue(of: name, { value = Self.seconds($0) }), let value { return value }
            case .resetHeader(let name):
                var value: Double?
                if response.headers.withValue(of: name, { value = Self.seconds($0) }), let value { return max(0, value - wall) }
            case .body(let path):
                guard let body = try? JSONParser.parse(response.body) else { continue }
                var value: JSONValue? = body
                for key in path.split(separator: ".") { value = value?[String(key)] }
                if let seconds = value?.numberValue ?? value?.stringValue.flatMap({ Double($0) }), seconds.isFinite, seconds >= 0 { return seconds }
            }
        }
        return nil
    }

    /// Whole seconds as headers write them (`60`, ` 1 `) read without a detour through text;
    /// anything else (`1.5`) as a decimal; nil when no finite number of 0 or more.
    static func seconds(_ value: UnsafeBufferPointer<UInt8>) -> Double? {
        var whole = 0
        var digits = 0
        for byte in value {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9") where digits < 15:
                whole = whole * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                continue
            default:
                return Double(String(decoding: value, as: UTF8.self).trimmingWhitespace()).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
            }
        }
        return digits > 0 ? Double(whole) : nil
    }

    /// The idempotency key a request carries for endpoint `endpoint`, and its identity: method,
    /// path and body, the key left out, so that two attempts of one request match.
    func identify(_ request: HTTPRequest, path: Substring, endpoint: Int) -> (identity: Int, key: String?) {
        // An identity within one client's chains, far cheaper than hashing strings.
        var hash = FNV1a()
        hash.add(request.method)
        hash.add(path)
        var key: String?
        if let rule = keys[endpoint] {
            if let header = rule.header {
                key = request.headers[header]
            } else if let field = rule.bodyField, case .object(let members)? = try? JSONParser.parse(request.body) {
                JSONValue.object(members.filter { $0.key != field }).serialized.withUnsafeBufferPointer { hash.add($0) }
                return (hash.value, members.first { $0.key == field }?.value.stringValue)
            }
        }
        request.body.withUnsafeBufferPointer { hash.add($0) }
        return (hash.value, key)
    }
}
