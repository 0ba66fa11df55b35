import FaultlineHTTP

extension RecordingSynthesis {
    /// Query parameters Faultline reads itself (`ScenarioEngine.Options` defaults): an example
    /// leaves them out, as matching does.
    static let ownParameters: Set<String> = ["scenario", "faultline_client", "delay", "dribble"]

    /// Each recorded exchange as an example, so that a replay without `?scenario=` gets what the
    /// upstream gave that request: its path parameters, query, JSON body and which credential
    /// fields it carried. A query secret (`?api_key=`) is kept as `null` (any value); a body
    /// that held secrets is not a condition. Secrets never reach the file. The same request
    /// twice is kept once.
    static func examples(of endpoint: Endpoint, less vendorHeaders: [(name: String, value: String)], existing: [JSONValue] = []) -> [JSONValue] {
        var credentialFields: [String] = []
        for exchange in endpoint.exchanges {
            for (name, _) in exchange.requestHeaders where RecordedSecrets.isSecretHeader(name) && !credentialFields.contains(where: { $0.lowercased() == name.lowercased() }) {
                credentialFields.append(name)
            }
        }
        // By text, keys sorted: a long recording repeats most requests, and comparing each with
        // every one kept grew as its square.
        var seen = Set(existing.compactMap { $0["request"].map(canonical) })
        var out: [JSONValue] = []
        for exchange in endpoint.exchanges {
            var request: [JSONMember] = []
            let parameters = RecordedPaths.parameters(of: endpoint.path == "/" && !endpoint.base.isEmpty ? endpoint.base : endpoint.base + endpoint.path, in: exchange.path)
            if !parameters.isEmpty {
                request.append(JSONMember(key: "parameters", value: .object(parameters.map { JSONMember(key: $0.name, value: .string($0.value)) })))
            }
            // A secret's value is not kept: `null` asks only that the parameter be there.
            let query = CompiledExample.pairs(exchange.target.drop { $0 != "?" }.dropFirst()).filter { !ownParameters.contains($0.name) }
            request.append(JSONMember(key: "query", value: .object(query.map { pair in
                JSONMember(key: pair.name, value: RecordedSecrets.isSecretField(pair.name) ? .null : .string(pair.value))
            })))
            if !exchange.requestBody.isEmpty, let body = try? JSONParser.parse(exchange.requestBody), RecordedSecrets.scrub(body) == body {
                request.append(JSONMember(key: "body", value: body))
            }
            let present = credentialFields.filter { exchange.requestHeaders[$0] != nil }
            let absent = credentialFields.filter { exchange.requestHeaders[$0] == nil }
            if !present.isEmpty { request.append(JSONMember(key: "present", value: .array(present.map { .string($0) }))) }
            if !absent.isEmpty { request.append(JSONMember(key: "absent", value: .array(absent.map { .string($0) }))) }
            let conditions = JSONValue.object(request)
            guard seen.insert(canonical(conditions)).inserted else { continue }
            out.append(.object([
                JSONMember(key: "request", value: conditions),
                JSONMember(key: "response", value: json(answer(exchange), less: vendorHeaders)),
            ]))
        }
        return out
    }

    /// The value's compact text with every object's keys sorted, numbers as written.
    static func canonical(_ value: JSONValue) -> String {
        func sorted(_ value: JSONValue) -> JSONValue {
            switch value {
            case .object(let members): .object(members.sorted { $0.key < $1.key }.map { JSONMember(key: $0.key, value: sorted($0.value)) })
            case .array(let items): .array(items.map(sorted))
            default: value
            }
        }
        return sorted(value).serializedString
    }
}
