import FaultlineHTTP

/// An endpoint's example, ready to match: the conditions of `ExampleSpec` and the index of its
/// answer in the endpoint's responses.
struct CompiledExample: Sendable {
    let response: Int
    let parameters: [(name: String, value: String)]
    let query: [(name: String, value: String?)]?
    let body: JSONValue?
    let present: [String]
    let absent: [String]

    init(_ spec: ExampleSpec, response: Int) {
        self.response = response
        parameters = spec.parameters
        query = spec.query?.sorted { ($0.name, $0.value ?? "") < ($1.name, $1.value ?? "") }
        body = spec.body
        present = spec.present
        absent = spec.absent
    }

    /// Whether `request` meets every condition. `own` are Faultline's query parameters, which a
    /// query condition leaves out; `body` is the request's body parsed as JSON, asked only when
    /// a body condition needs it.
    func matches(_ request: HTTPRequest, pathParameters: [(name: String, value: Substring)], own: [String], body requestBody: () -> JSONValue?) -> Bool {
        for (name, value) in parameters {
            guard let given = pathParameters.first(where: { $0.name == name }), given.value == value else { return false }
        }
        for name in present where request.headers[name] == nil { return false }
        for name in absent where request.headers[name] != nil { return false }
        if let query {
            var given = Self.pairs(request.query ?? "").filter { !own.contains($0.name) }
            guard given.count == query.count else { return false }
            // Each wanted pair takes one given pair: a fixed value first, then any value.
            for wanted in query.sorted(by: { $0.value != nil && $1.value == nil }) {
                guard let index = given.firstIndex(where: { $0.name == wanted.name && (wanted.value == nil || $0.value == wanted.value) }) else { return false }
                given.remove(at: index)
            }
        }
        if let body {
            guard let given = requestBody(), given.sameValue(as: body) else { return false }
        }
        return true
    }

    /// `a=1&b=x%20y` as decoded pairs (RFC 3986 percent-decoding, `+` as a space).
    static func pairs(_ query: Substring) -> [(name: String, value: String)] {
        query.split(separator: "&").map { part in
            let name = part.prefix { $0 != "=" }
            let value = part.dropFirst(name.count + 1)
            return (PercentDecoding.decode(name, plusAsSpace: true), PercentDecoding.decode(value, plusAsSpace: true))
        }
    }
}

extension JSONValue {
    /// Equality with object members compared by key, in any order; numbers by their value.
    func sameValue(as other: JSONValue) -> Bool {
        switch (self, other) {
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { member in b.first { $0.key == member.key }.map { member.value.sameValue(as: $0.value) } ?? false }
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.sameValue(as: $1) }
        case (.number(let a), .number(let b)):
            return a == b || (Double(a) != nil && Double(a) == Double(b))
        default:
            return self == other
        }
    }
}
