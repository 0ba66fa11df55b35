import Testing
import FaultlineHTTP
import FaultlineScenarios
import FaultlineTesting

/// The MCP endpoint over sockets, as JSON-RPC text: the handshake, the tool list, tools that
/// change what the server answers, and the protocol's errors. (agents/mcp_check.py drives the
/// same endpoint with the official Python client in CI.)
@Suite(.serialized) struct MCPOverSocketsTests {
    static func rpc(_ client: TestHTTPClient, _ body: String, token: String = "t") throws -> TestResponse {
        try client.request("POST", "/__faultline/mcp", headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream")], body: body)
    }

    @Test func theHandshakeNegotiatesAVersionAndEchoesTheId() throws {
        let server = try TestServer.start(options: .init(adminToken: "t"))
        defer { server.stop() }
        let client = try server.client()
        let initialize = try Self.rpc(client, #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}"#)
        #expect(initialize.status == 200)
        #expect(initialize.headers["Content-Type"] == "application/json")
        #expect(try initialize.json(at: ["id"]) == .number("1"))
        #expect(try initialize.string(at: ["result", "protocolVersion"]) == "2025-06-18")
        #expect(try initialize.string(at: ["result", "serverInfo", "name"]) == "faultline")
        #expect(initialize.headers["Mcp-Session-Id"] == nil)
        let newest = try Self.rpc(client, #"{"jsonrpc":"2.0","id":"a","method":"initialize","params":{"protocolVersion":"2099-01-01"}}"#)
        #expect(try newest.json(at: ["id"]) == .string("a"))
        #expect(try newest.string(at: ["result", "protocolVersion"]) == "2025-11-25")
        let notification = try Self.rpc(client, #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        #expect(notification.status == 202)
        #expect(notification.body.isEmpty)
        #expect(try Self.rpc(client, #"{"jsonrpc":"2.0","id":2,"method":"ping"}"#).text == #"{"jsonrpc":"2.0","id":2,"result":{}}"#)
    }

    @Test func everyToolIsListedWithAnObjectSchema() throws {
        let server = try TestServer.start(options: .init(adminToken: "t"))
        defer { server.stop() }
        let tools = try Self.rpc(try server.client(), #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#).json(at: ["result", "tools"]).arrayItems ?? []
        #expect(tools.compactMap { $0["name"]?.stringValue } == ["list_scenarios", "set_scenario", "clear_scenario", "get_requests", "get_verdicts", "get_state", "reset", "move_clock", "reload"])
        #expect(tools.allSatisfy { $0["inputSchema"]?["type"] == .string("object") && $0["description"]?.stringValue?.isEmpty == false })
        #expect(tools[1]["inputSchema"]?["required"] == .array([.string("scenario")]))
    }

    @Test func toolsChangeWhatTheServerAnswersAndSayWhatTheyDid() throws {
        let server = try TestServer.start(options: .init(adminToken: "t"))
        defer { server.stop() }
        let client = try server.client()
        let set = try Self.rpc(client, #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"set_scenario","arguments":{"scenario":"SERVICE_UNAVAILABLE","vendor":"generic"}}}"#)
        #expect(try set.json(at: ["result", "isError"]) == .bool(false))
        #expect(try set.string(at: ["result", "content", "0", "text"]) == #"{"scenario":"SERVICE_UNAVAILABLE","client":null,"vendor":"generic"}"#)
        #expect(try client.request("GET", "/generic/api/v1/users", headers: [("X-API-Key", "k")]).status == 503)
        _ = try Self.rpc(client, #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"clear_scenario","arguments":{"vendor":"generic"}}}"#)
        #expect(try client.request("GET", "/generic/api/v1/users", headers: [("X-API-Key", "k")]).status == 200)

        let journal = try Self.rpc(client, #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_requests","arguments":{"client":"k","limit":1}}}"#)
        let text = try journal.string(at: ["result", "content", "0", "text"])
        let entries = try JSONParser.parse(Array(text.utf8))["requests"]?.arrayItems ?? []
        #expect(entries.count == 1 && entries[0]["status"] == .number("200"))

        let clock = try Self.rpc(client, #"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"move_clock","arguments":{"advance":"90s"}}}"#)
        #expect(try clock.string(at: ["result", "content", "0", "text"]).contains(#""aheadSeconds":90"#))
        let standing = try Self.rpc(client, #"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"move_clock"}}"#)
        #expect(try standing.json(at: ["result", "isError"]) == .bool(false))
        #expect(try standing.string(at: ["result", "content", "0", "text"]).contains(#""aheadSeconds":90"#))

        let unknownVendor = try Self.rpc(client, #"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"list_scenarios","arguments":{"vendor":"nobody"}}}"#)
        #expect(try unknownVendor.json(at: ["result", "isError"]) == .bool(true))
    }

    @Test func protocolErrorsAreJSONRPCErrorsAndTheEndpointIsProtected() throws {
        let server = try TestServer.start(options: .init(adminToken: "t"))
        defer { server.stop() }
        let client = try server.client()
        let unknown = try Self.rpc(client, #"{"jsonrpc":"2.0","id":7,"method":"resources/list"}"#)
        #expect(unknown.text == #"{"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"Method not found: resources/list"}}"#)
        let noTool = try Self.rpc(client, #"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"drop_tables"}}"#)
        #expect(try noTool.json(at: ["error", "code"]) == .number("-32602"))
        let garbage = try Self.rpc(client, "{not json")
        #expect(garbage.status == 400)
        #expect(garbage.text == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error: the body is not JSON"}}"#)
        let batch = try Self.rpc(client, #"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#)
        #expect(try batch.json(at: ["error", "code"]) == .number("-32600"))
        #expect(try Self.rpc(client, #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#, token: "wrong").status == 401)
        // A web page's form or text/plain fetch, or another site's page, gets nothing done.
        let plain = try client.request("POST", "/__faultline/mcp", headers: [("Authorization", "Bearer t"), ("Content-Type", "text/plain")], body: #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
        #expect(plain.status == 415)
        let elsewhere = try client.request("POST", "/__faultline/mcp", headers: [("Authorization", "Bearer t"), ("Content-Type", "application/json"), ("Origin", "https://evil.example")], body: #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
        #expect(elsewhere.status == 403)
        let local = try client.request("POST", "/__faultline/mcp", headers: [("Authorization", "Bearer t"), ("Content-Type", "application/json; charset=utf-8"), ("Origin", "http://localhost:3000")], body: #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
        #expect(local.text == #"{"jsonrpc":"2.0","id":1,"result":{}}"#)
        let stream = try client.request("GET", "/__faultline/mcp", headers: [("Authorization", "Bearer t"), ("Accept", "text/event-stream")])
        #expect(stream.status == 405)
        #expect(stream.headers["Allow"] == "POST")
    }
}

/// The live page's document and what it reads, over sockets (checks/ui_check.py opens it in a
/// browser in CI).
@Suite struct AdminPageOverSocketsTests {
    @Test func thePageIsServedWithTheTokenInItsAddressAndNeedsNothingFromOutside() throws {
        let server = try TestServer.start(options: .init(adminToken: "t"))
        defer { server.stop() }
        let client = try server.client()
        #expect(try client.request("GET", "/__faultline/ui").status == 401)
        #expect(try client.request("GET", "/__faultline/ui?token=wrong").status == 401)
        let page = try client.request("GET", "/__faultline/ui?token=t")
        #expect(page.status == 200)
        #expect(page.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(page.text.hasPrefix("<!doctype html>"))
        for id in ["search", "journal", "verdicts", "sticky-set", "clock-move", "reload"] { #expect(page.text.contains(#"id="\#(id)""#)) }
        #expect(!page.text.contains("http://") && !page.text.contains("https://"), "no external assets")
        // The address's token opens the page only: the API still wants the header.
        #expect(try client.request("GET", "/__faultline/scenarios?token=t").status == 401)
    }

    @Test func theCatalogCarriesBodiesWhenAsked() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        let plain = try client.request("GET", "/__faultline/scenarios")
        #expect(!plain.text.contains("Tracking already exists."))
        let withBodies = try client.request("GET", "/__faultline/scenarios?bodies=true")
        #expect(withBodies.text.contains(#"{"name":"4003","status":400,"scope":"endpoint","body":{"meta":{"code":4003,"type":"BadRequest","message":"Tracking already exists."},"data":{}},"rendered":"{\"meta\":{\"code\":4003,\"type\":\"BadRequest\",\"message\":\"Tracking already exists.\"},\"data\":{}}"}"#))
        // Rendered as a bare request would get it: a fresh id, fallbacks for what it lacks.
        let flex = try withBodies.json(at: ["vendors"]).arrayItems?.first { $0["vendor"] == .string("flexforward") }
        let failed = flex?["endpoints"]?.arrayItems?.flatMap { $0["scenarios"]?.arrayItems ?? [] }.first { $0["name"] == .string("courier_error_201") }
        let rendered = try #require(failed?["rendered"]?.stringValue)
        #expect(!rendered.contains("{{") && rendered.contains(#""courier":"yunexpress""#))
    }
}

/// Answers kept whole for a watcher: `GET /requests?answers=true` asks for them.
@Suite struct WatchedAnswersOverSocketsTests {
    @Test func answersAreKeptOnlyOnceSomeoneAsks() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        _ = try client.request("GET", "/generic/api/v1/users/u_1?scenario=RESOURCE_NOT_FOUND", headers: [("X-API-Key", "k")])
        let before = try client.request("GET", "/__faultline/requests?answers=true&client=k")
        #expect(try before.json(at: ["requests", "0"])["answer"] == nil, "answered before anyone asked: not kept")
        let served = try client.request("GET", "/generic/api/v1/users/u_2?scenario=RESOURCE_NOT_FOUND", headers: [("X-API-Key", "k")])
        let after = try client.request("GET", "/__faultline/requests?answers=true&client=k&limit=1")
        #expect(try after.json(at: ["requests", "0", "answer", "status"]) == .number("404"))
        #expect(try after.string(at: ["requests", "0", "answer", "body"]) == served.text)
        #expect(try after.string(at: ["requests", "0", "answer", "headers", "Content-Type"]) == served.headers["Content-Type"])
        let plain = try client.request("GET", "/__faultline/requests?client=k&limit=1")
        #expect(try plain.json(at: ["requests", "0"])["answer"] == nil, "only asked for with answers=true")
    }
}
