import FaultlineHTTP
import FaultlineScenarios
import OpenAPIKit

/// One operation, as an endpoint of the scenario file before the vendor's catalog is laid out.
struct EndpointDraft {
    var id: String
    var method: String
    var path: String
    var summary: String?
    var isPublic: Bool
    /// The security schemes any of which the operation accepts.
    var schemes: [String]
    var response: Answer
    var scenarios: [(name: String, answer: Answer)] = []
    var rules: [JSONValue] = []
    var errors: [ErrorCandidate] = []
    /// The documented answers by status (success and error), for the triggers to choose from.
    var documentedHeaders: [(name: String, value: String)] = []
}

extension ImportContext {
    static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    func endpoint(id: String, path: String, pathParameters: [String], method: String, operation: OpenAPI.Operation, item: OpenAPI.PathItem, pointer: String, itemPointer: String) throws(ImportError) -> EndpointDraft {
        let requirements = operation.security ?? document.security
        var draft = EndpointDraft(
            id: id, method: method, path: path, summary: operation.summary ?? operation.description,
            isPublic: requirements.isEmpty || requirements.contains(where: \.isEmpty),
            schemes: requirements.flatMap { $0.keys.compactMap(\.name) },
            response: Answer(status: 200, pointer: pointer))
        if !operation.callbacks.isEmpty { note("callbacks (not mapped)", at: pointer + "/callbacks") }
        if operation.servers != nil || item.servers != nil { note("servers of a path or operation (the description's servers are the base paths)", at: pointer) }

        var rules = RuleSynthesis(sink: shapes)
        try parameters(item.parameters, at: itemPointer + "/parameters", overriddenBy: operation.parameters, pathParameters: pathParameters, rules: &rules)
        try parameters(operation.parameters, at: pointer + "/parameters", overriddenBy: [], pathParameters: pathParameters, rules: &rules)
        if let body = operation.requestBody {
            let (request, requestPointer) = try resolve(body, at: pointer + "/requestBody")
            if let (content, contentPointer, _) = try pick(request.content, at: requestPointer, jsonOnly: true) {
                if let schema = content.schema {
                    rules.body(try shapes.shape(schema, at: contentPointer + "/schema"))
                }
            } else if !request.content.isEmpty {
                note("request bodies other than JSON (not validated)", at: requestPointer + "/content")
            }
        }
        draft.rules = rules.rules

        var success: [(status: Int, answers: [(key: String?, answer: Answer)])] = []
        for (code, either) in operation.responses {
            let responsePointer = Pointer.child(pointer, "responses", code.rawValue)
            guard case .status(let status) = code.value, (200...599).contains(status) else {
                note("responses for a status range or 'default' (no single status; not mapped)", at: responsePointer)
                continue
            }
            let (response, resolvedPointer) = try resolve(either, at: responsePointer)
            if !response.links.isEmpty { note("links (not mapped)", at: resolvedPointer + "/links") }
            let answers = try self.answers(response, status: status, at: resolvedPointer)
            if (200...299).contains(status) {
                success.append((status, answers))
            } else {
                draft.errors += Self.named(answers, status: status).map { ErrorCandidate(name: $0.name, answer: $0.answer, endpoint: id) }
            }
        }
        success.sort { $0.status < $1.status }
        if let first = success.first, let answer = first.answers.first?.answer {
            draft.response = answer
            var taken: Set<String> = ["default"]
            // The first example is the default response, and answers by its own name too.
            if let key = first.answers.first?.key {
                draft.scenarios.append((Self.unique(RecordingSynthesis.scenarioName(key, status: first.status), in: &taken), answer))
            }
            for (index, group) in success.enumerated() {
                for (position, (key, answer)) in group.answers.enumerated() where index > 0 || position > 0 {
                    let base = key.map { RecordingSynthesis.scenarioName($0, status: group.status) } ?? String(group.status)
                    draft.scenarios.append((Self.unique(base, in: &taken), answer))
                }
            }
        } else {
            note("operations without a documented success (answered 200 with no body)", at: pointer + "/responses")
        }
        return draft
    }

    private func parameters(_ list: OpenAPI.Parameter.Array, at pointer: String, overriddenBy: OpenAPI.Parameter.Array, pathParameters: [String], rules: inout RuleSynthesis) throws(ImportError) {
        for (index, either) in list.enumerated() {
            let (parameter, parameterPointer) = try resolve(either, at: Pointer.child(pointer, String(index)))
            if overriddenBy.contains(where: { components[$0].map { $0.name == parameter.name && $0.location == parameter.location } ?? false }) { continue }
            let location: String
            switch parameter.location {
            case .query: location = "query"
            case .path:
                guard pathParameters.contains(parameter.name) else {
                    note("path parameters the path does not hold (not validated)", at: parameterPointer)
                    continue
                }
                location = "path"
            default:
                note("header and cookie parameters (not checked)", at: parameterPointer)
                continue
            }
            guard case .a(let context) = parameter.schemaOrContent else {
                note("parameters described by content (not validated)", at: parameterPointer)
                continue
            }
            let shape = try shape(of: context.schema, at: parameterPointer + "/schema")
            rules.parameter(parameter.name, location: location, required: parameter.required, shape: shape)
        }
    }

    /// The media type an answer or a request is read from: JSON first, then text; nil (and a
    /// note for an answer) when there is only XML or another kind.
    func pick(_ content: OpenAPI.Content.Map, at pointer: String, jsonOnly: Bool = false) throws(ImportError) -> (OpenAPI.Content, String, mediaType: String)? {
        // By the keys as written: OpenAPIKit's map may merge two that differ only in spacing.
        let keys = raw.value(at: pointer + "/content")?.objectMembers?.map(\.key) ?? []
        let isJSON = { (key: String) in
            let name = key.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            return name == "application/json" || name.hasSuffix("+json") || name == "*/*"
        }
        var choice = keys.first(where: isJSON)
        if choice == nil, !jsonOnly { choice = keys.first { $0.lowercased().hasPrefix("text/") } }
        guard let key = choice, let type = OpenAPI.ContentType(rawValue: key), let either = content[type] else {
            if !jsonOnly, !keys.isEmpty { note("XML and other bodies that are not JSON or text (not mapped)", at: pointer + "/content") }
            return nil
        }
        let (value, contentPointer) = try resolve(either, at: Pointer.child(pointer, "content", key))
        return (value, contentPointer, key)
    }

    /// Every documented answer of one response: one per example, else one from the schema.
    func answers(_ response: OpenAPI.Response, status: Int, at pointer: String) throws(ImportError) -> [(key: String?, answer: Answer)] {
        var headers: [(name: String, value: String)] = []
        for (name, either) in response.headers ?? [:] {
            let (_, headerPointer) = try resolve(either, at: Pointer.child(pointer, "headers", name))
            let value = try example(at: headerPointer) ?? raw.value(at: headerPointer + "/schema/example") ?? raw.value(at: headerPointer + "/schema/default")
            guard let value, name.lowercased() != "content-length", name.lowercased() != "content-type" else { continue }
            guard let text = Self.headerText(value), !name.isEmpty, name.utf8.allSatisfy(\.isHeaderNameChar), !text.utf8.contains(where: HTTPHeaders.isForbiddenInValue),
                  !headers.contains(where: { $0.name.lowercased() == name.lowercased() }) else {
                note("response headers whose name or example cannot be sent (left out)", at: headerPointer)
                continue
            }
            headers.append((name, text))
        }
        let base = Answer(status: status, headers: headers, pointer: pointer)
        // RFC 9110 §6.4.1: no content in a 1xx, 204 or 304.
        guard status >= 200, status != 204, status != 304 else {
            if !response.content.isEmpty { note("bodies documented for 204 or 304 (not sent: HTTP has none there)", at: pointer + "/content") }
            return [(nil, base)]
        }
        guard let (content, contentPointer, mediaType) = try pick(response.content, at: pointer) else { return [(nil, base)] }
        var values: [(key: String?, value: JSONValue, generated: Bool)] = []
        if let value = raw.value(at: contentPointer + "/example") {
            values.append((nil, value, false))
        } else if let examples = raw.value(at: contentPointer + "/examples")?.objectMembers {
            for member in examples {
                if let value = try exampleValue(member.value, at: Pointer.child(contentPointer, "examples", member.key)) { values.append((member.key, value, false)) }
            }
        }
        if values.isEmpty, let schema = content.schema {
            let shape = try shapes.shape(schema, at: contentPointer + "/schema")
            values.append((nil, ExampleSynthesis.value(shape), shape.example == nil))
        }
        let isJSON = !mediaType.lowercased().hasPrefix("text/")
        var typed = base
        if mediaType.lowercased() != "application/json", mediaType != "*/*" { typed.headers.insert(("Content-Type", mediaType), at: 0) }
        guard !values.isEmpty else { return [(nil, typed)] }
        return values.map { key, value, generated in
            var answer = typed
            answer.generated = generated
            if isJSON {
                answer.body = value
            } else {
                answer.text = value.stringValue ?? String(decoding: value.serialized, as: UTF8.self)
            }
            return (key, answer)
        }
    }

    /// Names for a status's answers: the vendor's code in the body, else the status for the
    /// first and the example's own name for the rest.
    static func named(_ answers: [(key: String?, answer: Answer)], status: Int) -> [(name: String, answer: Answer)] {
        var taken: Set<String> = ["default"]
        var out: [(name: String, answer: Answer)] = []
        for (index, (key, answer)) in answers.enumerated() {
            var base = String(status)
            if !answer.generated, let body = answer.body, let code = RecordingSynthesis.errorCode(body) {
                base = RecordingSynthesis.scenarioName(code, status: status)
            } else if index > 0, let key {
                base = RecordingSynthesis.scenarioName(key, status: status)
            }
            out.append((unique(base, in: &taken), answer))
        }
        return out
    }

    /// `name`, else `name_2`, `name_3`…, compared without case as scenario names are.
    static func unique(_ name: String, in taken: inout Set<String>) -> String {
        var candidate = name
        var counter = 2
        while taken.contains(candidate.lowercased()) {
            candidate = "\(name)_\(counter)"
            counter += 1
        }
        taken.insert(candidate.lowercased())
        return candidate
    }
}
