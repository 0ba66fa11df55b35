extension SpecDecoder {
    /// `"examples": [{"request": {"parameters", "query", "body", "present", "absent"}, "response": {...}}]`.
    mutating func decodeExamples(_ value: JSONValue, at path: String) -> [ExampleSpec] {
        guard case .array(let items) = value else {
            report(path, "expected an array of examples ({\"request\": {...}, \"response\": {...}})")
            return []
        }
        var examples: [ExampleSpec] = []
        for (i, item) in items.enumerated() {
            let itemPath = JSONPath.index(path, i)
            guard let members = object(item, at: itemPath, allowed: ["request", "response", "description"], required: ["request", "response"]),
                  let request = members.value(of: "request"), let responseValue = members.value(of: "response"),
                  let response = decodeResponse(responseValue, at: JSONPath.child(itemPath, "response"), allowEndpoints: false)?.response else { continue }
            var example = ExampleSpec(response: response, jsonPath: itemPath)
            let requestPath = JSONPath.child(itemPath, "request")
            guard let fields = object(request, at: requestPath, allowed: ["parameters", "query", "body", "present", "absent"], required: []) else { continue }
            if let value = fields.value(of: "parameters") { example.parameters = stringPairs(value, at: JSONPath.child(requestPath, "parameters")).map { ($0.name, $0.value ?? "") } }
            if let value = fields.value(of: "query") { example.query = stringPairs(value, at: JSONPath.child(requestPath, "query"), nullable: true) }
            example.body = fields.value(of: "body")
            if fields.value(of: "present") != nil { example.present = strings(fields, "present", at: requestPath) ?? [] }
            if fields.value(of: "absent") != nil { example.absent = strings(fields, "absent", at: requestPath) ?? [] }
            examples.append(example)
        }
        return examples
    }

    /// An object of names to strings, in order (and `null`s, as nil, when `nullable`).
    private mutating func stringPairs(_ value: JSONValue, at path: String, nullable: Bool = false) -> [(name: String, value: String?)] {
        guard case .object(let members) = value else {
            report(path, "expected an object of names to strings")
            return []
        }
        var pairs: [(name: String, value: String?)] = []
        for member in members {
            switch member.value {
            case .string(let text): pairs.append((member.key, text))
            case .null where nullable: pairs.append((member.key, nil))
            default: report(JSONPath.child(path, member.key), nullable ? "expected a string, or null for any value" : "expected a string")
            }
        }
        return pairs
    }
}
