import FaultlineHTTP

/// Recorded exchanges as a vendor's scenario file (`faultline record`):
/// - endpoints grouped by method and path template (`RecordedPaths`);
/// - an endpoint's `response` is its first recorded success (else its first answer);
/// - each distinct error (status, and the vendor's code where the body has one) becomes a named
///   scenario called by that code (else by its status);
/// - fields every answer carried with the same value move to the vendor's `headers`;
/// - each exchange is also an example (`ExampleSpec`): the same request replayed gets the same
///   answer without naming a scenario;
/// - credentials never reach the file (`RecordedSecrets`).
/// A JSON body that the server's compact serialisation reproduces byte for byte is kept as
/// `body` (readable, editable); any other body as `text`, byte for byte.
public enum RecordingSynthesis {
    public struct Summary: Sendable, Equatable {
        public var exchanges = 0
        /// `GET /users/{user_id}` for each endpoint added.
        public var endpoints: [String] = []
        /// `endpoint-id: name (status)` for each named scenario added.
        public var scenarios: [String] = []
        /// Exchanges the file cannot hold, with why.
        public var skipped: [String] = []
    }

    /// What a file keeps of an answer's fields: not the framing and `Date` (the server writes
    /// them), not fields of one connection, no credentials, and no `Faultline-*` notes.
    static let droppedFields: Set<String> = ["date", "content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding", "proxy-connection", "trailer", "upgrade"]
    static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    struct Answer {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: [JSONMember]
        var code: String?
    }

    struct Endpoint {
        var method: String
        /// As the file has it: relative to `base`.
        var path: String
        var exchanges: [RecordedExchange]
        /// The base path taken off the recorded path (merging into a file that has one).
        var base = ""
        /// `basePaths` of a new endpoint in a file with several.
        var ownBasePaths: [String]?
    }

    /// The vendor file for `exchanges`, merged into `existing` (a file recorded before) when
    /// given: its endpoints, responses and vendor fields are kept, and only new endpoints and
    /// scenario names are added.
    public static func vendorFile(vendor: String, upstream: String, exchanges: [RecordedExchange], existing: JSONValue? = nil) -> (file: JSONValue, summary: Summary) {
        var summary = Summary()
        summary.exchanges = exchanges.count
        var endpoints: [Endpoint] = []
        var byKey: [String: Int] = [:]
        let kept = exchanges.filter { exchange in
            guard methods.contains(exchange.method) else {
                summary.skipped.append("\(exchange.method) \(exchange.path): scenario files have GET, POST, PUT, PATCH and DELETE endpoints only")
                return false
            }
            let path = RecordedPaths.normalized(exchange.path)
            guard path == "/" || !path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().contains(where: \.isEmpty) else {
                summary.skipped.append("\(exchange.method) \(exchange.path): an empty path segment (a doubled '/') has no endpoint path")
                return false
            }
            return true
        }
        let paths = RecordedPaths.templates(kept.map { ($0.method, $0.path) })
        for (exchange, path) in zip(kept, paths) {
            let key = exchange.method + " " + path
            if let index = byKey[key] {
                endpoints[index].exchanges.append(exchange)
            } else {
                byKey[key] = endpoints.count
                endpoints.append(Endpoint(method: exchange.method, path: path, exchanges: [exchange]))
            }
        }

        let existingMembers = existing?.objectMembers
        // Into a file with base paths, each recorded path is written relative to the longest
        // base it is under (and served under that base only, when the file has several); one
        // under none of them cannot be written there.
        let existingBases = existingMembers?.first { $0.key == "basePaths" }?.value.arrayItems?.compactMap(\.stringValue) ?? []
        if !existingBases.isEmpty, !existingBases.contains("") {
            var placed: [Endpoint] = []
            for var endpoint in endpoints {
                let bases = existingBases.filter { !$0.contains("{") && (endpoint.path == $0 || endpoint.path.hasPrefix($0 + "/")) }
                guard let base = bases.max(by: { $0.count < $1.count }) else {
                    summary.skipped.append("\(endpoint.method) \(endpoint.path): under none of the file's base paths (\(existingBases.joined(separator: ", ")))")
                    continue
                }
                endpoint.path = endpoint.path == base ? "/" : String(endpoint.path.dropFirst(base.count))
                endpoint.base = base
                endpoint.ownBasePaths = existingBases.count > 1 ? [base] : nil
                placed.append(endpoint)
            }
            endpoints = placed
        }
        let answered = endpoints.map { endpoint in
            (response: answer(success(of: endpoint)), scenarios: scenarios(of: endpoint))
        }
        let vendorHeaders: [(name: String, value: String)]
        if let existingMembers {
            vendorHeaders = existingMembers.first { $0.key == "headers" }?.value.objectMembers?.compactMap { member in
                member.value.stringValue.map { (member.key, $0) }
            } ?? []
        } else {
            vendorHeaders = shared(answered.flatMap { [$0.response] + $0.scenarios.map(\.answer) })
        }

        var existingEndpoints = existingMembers?.first { $0.key == "endpoints" }?.value.arrayItems ?? []
        var ids = Set(existingEndpoints.compactMap { $0["id"]?.stringValue })
        for (endpoint, answers) in zip(endpoints, answered) {
            let scenarioMembers = answers.scenarios.map { JSONMember(key: $0.name, value: json($0.answer, less: vendorHeaders)) }
            // The same route whatever its parameters are called (`{id}` by hand, `{item_id}` recorded).
            if let index = existingEndpoints.firstIndex(where: { $0["method"]?.stringValue == endpoint.method && shape($0["path"]?.stringValue ?? "") == shape(endpoint.path) }) {
                let id = existingEndpoints[index]["id"]?.stringValue ?? "?"
                var known = Set(existingEndpoints[index]["scenarios"]?.objectMembers?.map { $0.key.lowercased() } ?? [])
                var added: [JSONMember] = []
                for member in scenarioMembers where !known.contains(member.key.lowercased()) {
                    known.insert(member.key.lowercased())
                    added.append(member)
                    summary.scenarios.append("\(id): \(member.key) (\(member.value["status"]?.numberValue.map { Int($0) } ?? 0))")
                }
                if !added.isEmpty { existingEndpoints[index] = existingEndpoints[index].setting("scenarios", to: .object((existingEndpoints[index]["scenarios"]?.objectMembers ?? []) + added)) }
                let recorded = existingEndpoints[index]["examples"]?.arrayItems ?? []
                var named = endpoint
                named.path = existingEndpoints[index]["path"]?.stringValue ?? endpoint.path
                let new = examples(of: named, less: vendorHeaders, existing: recorded)
                if !new.isEmpty { existingEndpoints[index] = existingEndpoints[index].setting("examples", to: .array(recorded + new)) }
                continue
            }
            let id = uniqueID(endpoint, taken: &ids)
            var members = [
                JSONMember(key: "id", value: .string(id)),
                JSONMember(key: "method", value: .string(endpoint.method)),
                JSONMember(key: "path", value: .string(endpoint.path)),
            ]
            if let own = endpoint.ownBasePaths { members.append(JSONMember(key: "basePaths", value: .array(own.map { .string($0) }))) }
            members.append(JSONMember(key: "response", value: json(answers.response, less: vendorHeaders)))
            if !scenarioMembers.isEmpty { members.append(JSONMember(key: "scenarios", value: .object(scenarioMembers))) }
            members.append(JSONMember(key: "examples", value: .array(examples(of: endpoint, less: vendorHeaders))))
            existingEndpoints.append(.object(members))
            summary.endpoints.append("\(endpoint.method) \(endpoint.path)")
            summary.scenarios += answers.scenarios.map { "\(id): \($0.name) (\($0.answer.status))" }
        }

        if var members = existingMembers {
            if let index = members.firstIndex(where: { $0.key == "endpoints" }) {
                members[index].value = .array(existingEndpoints)
            } else {
                members.append(JSONMember(key: "endpoints", value: .array(existingEndpoints)))
            }
            return (.object(members), summary)
        }
        var members = [
            JSONMember(key: "vendor", value: .string(vendor)),
            JSONMember(key: "title", value: .string("\(vendor) (recorded)")),
            JSONMember(key: "description", value: .string("Recorded from \(upstream) by faultline record: each endpoint answers its first recorded success, and each recorded error is a scenario named by the vendor's code (or its status). Credentials were replaced by \(RecordedSecrets.redacted).")),
            JSONMember(key: "basePaths", value: .array([.string("")])),
        ]
        if !vendorHeaders.isEmpty { members.append(JSONMember(key: "headers", value: headersObject(vendorHeaders))) }
        members.append(JSONMember(key: "endpoints", value: .array(existingEndpoints)))
        return (.object(members), summary)
    }

    /// A path with every parameter's name left out (`PathTemplate.shape`); as written when it
    /// does not parse.
    private static func shape(_ path: String) -> String {
        (try? PathTemplate.parse(path, allowEmpty: false).get())?.shape ?? path
    }

    private static func success(of endpoint: Endpoint) -> RecordedExchange {
        endpoint.exchanges.first { (200..<300).contains($0.status) } ?? endpoint.exchanges[0]
    }

    /// Each distinct error once, by its code (or status); a code seen with two statuses gets
    /// the status added to the second name.
    private static func scenarios(of endpoint: Endpoint) -> [(name: String, answer: Answer)] {
        var out: [(name: String, answer: Answer)] = []
        for exchange in endpoint.exchanges where exchange.status >= 400 {
            let answer = answer(exchange)
            var name = scenarioName(answer.code ?? String(answer.status), status: answer.status)
            if let same = out.first(where: { $0.name.lowercased() == name.lowercased() }) {
                if same.answer.status == answer.status { continue }
                name = scenarioName("\(name)-\(answer.status)", status: answer.status)
                if out.contains(where: { $0.name.lowercased() == name.lowercased() }) { continue }
            }
            out.append((name, answer))
        }
        return out
    }

    static func answer(_ exchange: RecordedExchange) -> Answer {
        var headers: [(name: String, value: String)] = []
        // `Faultline-*` fields are a Faultline upstream's own notes, never the vendor's.
        for (name, value) in exchange.responseHeaders where !droppedFields.contains(name.lowercased()) && !RecordedSecrets.isSecretHeader(name) && !name.lowercased().hasPrefix("faultline-") {
            if let index = headers.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) {
                headers[index].value += ", " + value
            } else {
                headers.append((name, value))
            }
        }
        let (body, code) = body(exchange.responseBody)
        return Answer(status: exchange.status, headers: headers, body: body, code: code)
    }

    private static func body(_ bytes: [UInt8]) -> ([JSONMember], String?) {
        guard !bytes.isEmpty else { return ([], nil) }
        guard let json = try? JSONParser.parse(bytes) else {
            let text = String(decoding: bytes, as: UTF8.self)
            return ([JSONMember(key: "text", value: .string(RecordedSecrets.scrubForm(text) ?? text))], nil)
        }
        let scrubbed = RecordedSecrets.scrub(json)
        let code = errorCode(json)
        if scrubbed != json || scrubbed.serialized == bytes { return ([JSONMember(key: "body", value: scrubbed)], code) }
        return ([JSONMember(key: "text", value: .string(String(decoding: bytes, as: UTF8.self)))], code)
    }

    /// The vendor's own error code: `code`, `error_code`, `meta.code` or `error.code`.
    package static func errorCode(_ body: JSONValue) -> String? {
        for candidate in [body["code"], body["error_code"], body["meta"]?["code"], body["error"]?["code"]] {
            switch candidate {
            case .string(let text) where !text.isEmpty: return text
            case .number(let text): return text
            default: continue
            }
        }
        return nil
    }

    /// A name `?scenario=` can carry: visible ASCII without `, & = ? #`, and never `default`.
    package static func scenarioName(_ text: String, status: Int) -> String {
        var name = String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            scalar.value >= 0x21 && scalar.value <= 0x7E && !",&=?#".unicodeScalars.contains(scalar) ? scalar : "_"
        }))
        if name.isEmpty { name = String(status) }
        if name.lowercased() == "default" { name += "_\(status)" }
        return name
    }

    /// Fields all answers carry with the same value.
    private static func shared(_ answers: [Answer]) -> [(name: String, value: String)] {
        guard let first = answers.first, answers.count > 1 else { return [] }
        return first.headers.filter { header in
            answers.allSatisfy { $0.headers.contains { $0.name.lowercased() == header.name.lowercased() && $0.value == header.value } }
        }
    }

    static func json(_ answer: Answer, less vendorHeaders: [(name: String, value: String)]) -> JSONValue {
        var members = [JSONMember(key: "status", value: .number(String(answer.status)))]
        let own = answer.headers.filter { header in
            !vendorHeaders.contains { $0.name.lowercased() == header.name.lowercased() && $0.value == header.value }
        }
        if !own.isEmpty { members.append(JSONMember(key: "headers", value: headersObject(own))) }
        // Served, `{{` would start a template: such an answer is sent as written.
        if own.contains(where: { $0.value.contains("{{") }) || answer.body.contains(where: { holdsBraces($0.value) }) {
            members.append(JSONMember(key: "literal", value: .bool(true)))
        }
        return .object(members + answer.body)
    }

    /// Whether a value holds `{{` anywhere (a key too): served, it would start a template.
    package static func holdsBraces(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): text.contains("{{")
        case .array(let items): items.contains(where: holdsBraces)
        case .object(let members): members.contains { $0.key.contains("{{") || holdsBraces($0.value) }
        default: false
        }
    }

    private static func headersObject(_ headers: [(name: String, value: String)]) -> JSONValue {
        .object(headers.map { JSONMember(key: $0.name, value: .string($0.value)) })
    }

    /// `get-users-user_id`: the method and the path's segments, in the id pattern's characters.
    private static func uniqueID(_ endpoint: Endpoint, taken: inout Set<String>) -> String {
        let words = endpoint.path.split(separator: "/").map { segment in
            String(segment.unicodeScalars.compactMap { scalar -> Character? in
                let c = Character(scalar)
                if c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == ".") { return c }
                return scalar == "{" || scalar == "}" ? nil : "_"
            })
        }
        let base = ([endpoint.method.lowercased()] + words).joined(separator: "-")
        var id = base
        var counter = 2
        while taken.contains(id) {
            id = "\(base)-\(counter)"
            counter += 1
        }
        taken.insert(id)
        return id
    }
}
