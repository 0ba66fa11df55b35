import FaultlineHTTP

/// One MCP tool: its listing (name, description, the JSON Schema of its arguments) and the
/// admin endpoint it calls.
struct MCPTool: Sendable {
    struct Argument: Sendable {
        let name: String
        let type: String
        let description: String
    }

    let name: String
    let description: String
    let arguments: [Argument]
    let required: [String]
    let run: @Sendable (JSONValue, AdminAPI.Call) -> LabeledResponse

    var listing: JSONValue {
        var schema = [
            JSONMember(key: "type", value: .string("object")),
            JSONMember(key: "properties", value: .object(arguments.map { argument in
                let type: JSONValue = argument.type.contains(",")
                    ? .array(argument.type.split(separator: ",").map { .string(String($0)) })
                    : .string(argument.type)
                return JSONMember(key: argument.name, value: .object([
                    JSONMember(key: "type", value: type),
                    JSONMember(key: "description", value: .string(argument.description)),
                ]))
            })),
        ]
        if !required.isEmpty { schema.append(JSONMember(key: "required", value: .array(required.map { .string($0) }))) }
        return .object([
            JSONMember(key: "name", value: .string(name)),
            JSONMember(key: "description", value: .string(description)),
            JSONMember(key: "inputSchema", value: .object(schema)),
        ])
    }
}

enum MCPTools {
    private static let client = MCPTool.Argument(name: "client", type: "string", description: "A client key (the API key or X-Faultline-Client value); absent: every client.")
    private static let vendor = MCPTool.Argument(name: "vendor", type: "string", description: "A vendor's name, e.g. aftership; absent: every vendor.")

    static let all: [MCPTool] = [
        MCPTool(name: "list_scenarios", description: "The vendors Faultline serves, their endpoints and paths, and every scenario each endpoint offers (name, status, and with bodies its body as written). Pick one per request with ?scenario=NAME.",
                arguments: [vendor, MCPTool.Argument(name: "bodies", type: "boolean", description: "Include each scenario's body as its file writes it.")], required: [], run: listScenarios),
        MCPTool(name: "set_scenario", description: "Make requests that name no scenario answer this one until cleared: for every client, or one client, of every vendor or one vendor.",
                arguments: [MCPTool.Argument(name: "scenario", type: "string", description: "A scenario name (e.g. 429, 4003) or a sequence name."), client, vendor],
                required: ["scenario"], run: admin("PUT", "/scenario", body: ["scenario", "client", "vendor"])),
        MCPTool(name: "clear_scenario", description: "Clear a scenario set with set_scenario (the same client and vendor).",
                arguments: [client, vendor], required: [], run: admin("DELETE", "/scenario", query: ["client", "vendor"])),
        MCPTool(name: "get_requests", description: "The request journal, newest last: method, path, vendor, endpoint, scenario and status of each request Faultline answered.",
                arguments: [client, MCPTool.Argument(name: "path", type: "string", description: "Only requests whose path starts with this."), MCPTool.Argument(name: "limit", type: "integer", description: "At most this many, the newest."),
                            MCPTool.Argument(name: "answers", type: "boolean", description: "Each answer as served (status, headers, body), for requests answered within 10 s of a call that asked for answers: ask once, run the test, ask again.")],
                required: [], run: admin("GET", "/requests", query: ["client", "path", "limit", "answers"])),
        MCPTool(name: "get_verdicts", description: "How each client retried, judged by the vendors' documented retry rules: pass, warn or fail, with findings.",
                arguments: [client], required: [], run: admin("GET", "/verdicts", query: ["client"])),
        MCPTool(name: "get_state", description: "The stored resources a client created (trackings, labels...), per vendor.",
                arguments: [client, vendor], required: [], run: admin("GET", "/state", query: ["client", "vendor"])),
        MCPTool(name: "reset", description: "Forget rate-limit buckets, sequence positions, sticky scenarios and stored items: of one client, or of all (which also resets the clock).",
                arguments: [client], required: [], run: admin("POST", "/reset", query: ["client"])),
        MCPTool(name: "move_clock", description: "The emulation's clock: advance it (seconds or \"24h\"), freeze it, resume it, or reset it to real time. Without arguments: how it stands.",
                arguments: [
                    MCPTool.Argument(name: "advance", type: "string,number", description: "Seconds, or a duration such as 90s, 15m, 24h."),
                    MCPTool.Argument(name: "freeze", type: "boolean", description: "Stop the clock."),
                    MCPTool.Argument(name: "resume", type: "boolean", description: "Let a frozen clock run again."),
                    MCPTool.Argument(name: "reset", type: "boolean", description: "Back to real time."),
                ], required: [], run: moveClock),
        MCPTool(name: "reload", description: "Read the scenario files again; a file with an error is refused (file, JSON path, message) and the rest keep serving.",
                arguments: [], required: [], run: admin("POST", "/reload")),
    ]

    /// The admin endpoint at `path` for `method`, with the named arguments as its query
    /// parameters or as the members of a JSON body.
    static func admin(_ method: String, _ path: String, query: [String] = [], body: [String]? = nil) -> @Sendable (JSONValue, AdminAPI.Call) -> LabeledResponse {
        { arguments, call in
            var target = call.engine.options.adminPrefix + path
            let pairs = query.compactMap { name in text(arguments[name]).map { name + "=" + PercentEncoding.encode($0) } }
            if !pairs.isEmpty { target += "?" + pairs.joined(separator: "&") }
            // Strings as the endpoints read them (`"scenario": 429` is the scenario 429); an
            // empty one is absent, as in a query.
            let bytes = body.map { names in
                JSONValue.object((arguments.objectMembers ?? []).compactMap { member in
                    guard names.contains(member.key) else { return nil }
                    if case .bool = member.value { return member }
                    return text(member.value).map { JSONMember(key: member.key, value: .string($0)) }
                }).serialized
            } ?? []
            guard let handler = AdminAPI.routes[path]?.first(where: { $0.method == method })?.handler else {
                return FaultlineResponses.error(status: 500, code: "no-admin-endpoint", message: "No admin endpoint \(method) \(path).")
            }
            let request = HTTPRequest(method: method, target: target, headers: call.request.headers, body: bytes)
            return handler(AdminAPI.Call(request: request, engine: call.engine, service: call.service))
        }
    }

    /// With nothing to do, how the clock stands (`POST /clock {}` is refused).
    private static func moveClock(_ arguments: JSONValue, _ call: AdminAPI.Call) -> LabeledResponse {
        let moves = (arguments.objectMembers ?? []).filter { ["advance", "freeze", "resume", "reset"].contains($0.key) }
        return moves.isEmpty ? admin("GET", "/clock")(arguments, call) : admin("POST", "/clock", body: ["advance", "freeze", "resume", "reset"])(arguments, call)
    }

    private static func listScenarios(_ arguments: JSONValue, _ call: AdminAPI.Call) -> LabeledResponse {
        let listing = call.engine.catalogListing(bodies: arguments["bodies"] == .bool(true))
        guard let name = text(arguments["vendor"]) else { return ScenarioEngine.json(listing) }
        let vendors = listing["vendors"]?.arrayItems?.filter { $0["vendor"] == .string(name) } ?? []
        guard !vendors.isEmpty else {
            return FaultlineResponses.error(status: 404, code: "unknown-vendor", message: "No vendor \(name).")
        }
        return ScenarioEngine.json(.object([JSONMember(key: "vendors", value: .array(vendors))]))
    }

    /// An argument as query text: strings as they are, numbers as written, booleans as words.
    private static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: text.isEmpty ? nil : text
        case .number(let text)?: text
        case .bool(let flag)?: flag ? "true" : "false"
        default: nil
        }
    }
}
