import FaultlineHTTP

/// The Model Context Protocol at `<admin prefix>/mcp`, for coding agents: JSON-RPC 2.0 over
/// the protocol's streamable HTTP transport, in its plainest form: every request POSTed, every
/// answer one `application/json` body, no session (so clients open no event stream and send
/// no DELETE), notifications taken with 202. Each tool is an admin endpoint called in-process,
/// so an agent sees what `curl` would.
///
/// Written by hand: modelcontextprotocol/swift-sdk imports full Foundation (which the server
/// binary must not link) and brings SwiftNIO into the package graph.
enum MCPEndpoint {
    /// Protocol revisions a client may ask for (the newest first); others are answered with
    /// the newest.
    static let protocolVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]

    static func answer(_ call: AdminAPI.Call) -> LabeledResponse {
        // A web page can POST text/plain anywhere without asking first, and can rebind a name to
        // 127.0.0.1: JSON only, and from no other site (the transport's rule on Origin).
        if let refusal = refusal(call.request) { return refusal }
        guard let message = try? JSONParser.parse(call.request.body) else {
            return reply(error: -32700, "Parse error: the body is not JSON", id: .null, status: 400)
        }
        guard case .object = message, message["jsonrpc"] == .string("2.0"), case .string(let method)? = message["method"] else {
            return reply(error: -32600, "Invalid Request: one JSON-RPC 2.0 request object (batches are not taken)", id: message["id"] ?? .null, status: 400)
        }
        // A notification (no id) has no answer.
        guard let id = message["id"] else {
            return LabeledResponse(status: 202, label: "faultline:admin")
        }
        let params = message["params"].flatMap { $0 == .null ? nil : $0 } ?? .object([])
        switch method {
        case "initialize":
            let asked = params["protocolVersion"]?.stringValue ?? ""
            return reply(result: .object([
                JSONMember(key: "protocolVersion", value: .string(protocolVersions.contains(asked) ? asked : protocolVersions[0])),
                JSONMember(key: "capabilities", value: .object([JSONMember(key: "tools", value: .object([JSONMember(key: "listChanged", value: .bool(false))]))])),
                JSONMember(key: "serverInfo", value: .object([
                    JSONMember(key: "name", value: .string("faultline")),
                    JSONMember(key: "version", value: .string(FaultlineVersion.current)),
                ])),
                JSONMember(key: "instructions", value: .string("Faultline emulates vendor APIs and their documented failures. List the scenarios, make a vendor (or one client) answer one until cleared, read what a client sent and how its retries were judged, reset, move the emulation's clock, reload the files.")),
            ]), id: id)
        case "ping":
            return reply(result: .object([]), id: id)
        case "tools/list":
            return reply(result: .object([JSONMember(key: "tools", value: .array(MCPTools.all.map(\.listing)))]), id: id)
        case "tools/call":
            guard case .string(let name)? = params["name"], let tool = MCPTools.all.first(where: { $0.name == name }) else {
                return reply(error: -32602, "Unknown tool: \(params["name"]?.stringValue ?? "(no name)")", id: id)
            }
            let arguments = params["arguments"].flatMap { $0 == .null ? nil : $0 } ?? .object([])
            guard case .object = arguments else { return reply(error: -32602, "arguments must be an object", id: id) }
            let answer = tool.run(arguments, call)
            return reply(result: .object([
                JSONMember(key: "content", value: .array([.object([
                    JSONMember(key: "type", value: .string("text")),
                    JSONMember(key: "text", value: .string(String(decoding: answer.response.body, as: UTF8.self))),
                ])])),
                JSONMember(key: "isError", value: .bool(answer.response.status >= 400)),
            ]), id: id)
        default:
            return reply(error: -32601, "Method not found: \(method)", id: id)
        }
    }

    static func refusal(_ request: HTTPRequest) -> LabeledResponse? {
        let mediaType = request.headers["Content-Type"]?.split(separator: ";").first.map { String($0.filter { $0 != " " && $0 != "\t" }).lowercased() }
        guard mediaType == "application/json" else {
            return FaultlineResponses.error(status: 415, code: "mcp-needs-json", message: "The MCP endpoint takes Content-Type: application/json.")
        }
        guard let origin = request.headers["Origin"] else { return nil }
        let host = Self.host(ofOrigin: origin)
        let own = request.headers["Host"].map { Self.host(ofAuthority: $0) }
        guard host == own || ["localhost", "127.0.0.1", "[::1]"].contains(host) else {
            return FaultlineResponses.error(status: 403, code: "mcp-origin", message: "The MCP endpoint answers pages of its own host or localhost only (Origin \(origin)).")
        }
        return nil
    }

    /// `example.com` of `https://example.com:8080`.
    static func host(ofOrigin origin: String) -> String {
        let parts = origin.split(separator: "/", omittingEmptySubsequences: true)
        // `scheme:`, then the authority; a bare authority (no scheme) is taken as it is.
        let authority = parts.first?.hasSuffix(":") == true && parts.count > 1 ? parts[1] : parts.first ?? ""
        return host(ofAuthority: String(authority))
    }

    /// The host of `host[:port]` (an IPv6 literal keeps its brackets), lower-cased.
    static func host(ofAuthority authority: String) -> String {
        let lowered = authority.lowercased()
        if lowered.hasPrefix("["), let close = lowered.firstIndex(of: "]") { return String(lowered[...close]) }
        return String(lowered.split(separator: ":", maxSplits: 1).first ?? "")
    }

    private static func reply(result: JSONValue, id: JSONValue) -> LabeledResponse {
        ScenarioEngine.json(.object([
            JSONMember(key: "jsonrpc", value: .string("2.0")),
            JSONMember(key: "id", value: id),
            JSONMember(key: "result", value: result),
        ]))
    }

    private static func reply(error code: Int, _ message: String, id: JSONValue, status: Int = 200) -> LabeledResponse {
        ScenarioEngine.json(.object([
            JSONMember(key: "jsonrpc", value: .string("2.0")),
            JSONMember(key: "id", value: id),
            JSONMember(key: "error", value: .object([
                JSONMember(key: "code", value: .number(String(code))),
                JSONMember(key: "message", value: .string(message)),
            ])),
        ]), status: status)
    }
}

/// Faultline's version, as `--version` and the MCP handshake give it.
public enum FaultlineVersion {
    public static let current = "0.1.0"
}
