import FaultlineScenarios

/// One response as the scenario file writes it, and where the description documents it.
struct Answer: Equatable {
    var status: Int
    var headers: [(name: String, value: String)] = []
    var body: JSONValue?
    var text: String?
    /// Made from the schema, not an example the description gives.
    var generated = false
    var pointer: String

    static func == (a: Answer, b: Answer) -> Bool {
        a.status == b.status && a.body == b.body && a.text == b.text && a.headers.elementsEqual(b.headers) { $0 == $1 }
    }

    var json: JSONValue {
        var members = [JSONMember(key: "status", value: .number(String(status)))]
        if generated { members.append(JSONMember(key: "description", value: .string("Generated from the schema at \(pointer): the description gives no example."))) }
        // `{{` in a documented example is the vendor's text, not a template: such an answer is
        // sent as written, its rate-limit headers as their documented values.
        let literal = headers.contains { $0.value.contains("{{") && !$0.value.hasPrefix("{{rate.") } || (body.map(RecordingSynthesis.holdsBraces) ?? false) || (text?.contains("{{") ?? false)
        if !headers.isEmpty {
            members.append(JSONMember(key: "headers", value: .object(headers.map { header in
                JSONMember(key: header.name, value: .string(literal ? Self.fallback(of: header.value) : header.value))
            })))
        }
        if literal { members.append(JSONMember(key: "literal", value: .bool(true))) }
        if let body { members.append(JSONMember(key: "body", value: body)) }
        if let text { members.append(JSONMember(key: "text", value: .string(text))) }
        return .object(members)
    }

    /// `30` of `{{rate.retryAfter|30}}`; any other value as it is.
    private static func fallback(of value: String) -> String {
        guard value.hasPrefix("{{rate."), value.hasSuffix("}}"), let bar = value.firstIndex(of: "|") else { return value }
        return String(value[value.index(after: bar)..<value.index(value.endIndex, offsetBy: -2)])
    }
}

/// A documented non-success answer of one endpoint, before the vendor's catalog is laid out.
struct ErrorCandidate {
    var name: String
    var answer: Answer
    var endpoint: String
}
