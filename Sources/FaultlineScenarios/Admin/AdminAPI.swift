import FaultlineHTTP

/// Every admin endpoint under `options.adminPrefix` (`/__faultline` by default), in one table
/// of path → method → handler. `ScenarioService` tests the prefix once and hands the request
/// here with the engine serving now; the answers are JSON of Faultline's own, never in a
/// vendor's shape. Everything but `health` wants the admin token when one is set.
///
/// | path | methods | what |
/// |---|---|---|
/// | `health` | GET | liveness for health checks and CI wait loops |
/// | `scenarios` | GET | the catalog, as `faultline list --json` |
/// | `reset[?client=C]` | POST | buckets, sequences, sticky scenarios, stored items (and the clock, for all) |
/// | `requests[?client=C&path=P&limit=N]` | GET, DELETE | the journal |
/// | `scenario` | PUT, DELETE | a sticky scenario for requests that name none |
/// | `state` | GET, POST | a client's stored items; store one |
/// | `clock` | GET, POST | the emulation's clock: show, freeze, advance, resume, reset |
/// | `reload` | GET, POST | the files read again; the last outcome |
/// | `metrics` | GET | Prometheus text |
/// | `verdicts[?client=C]` | GET | how each client retried, judged by the vendors' `retry` rules |
/// | `mcp` | POST | the Model Context Protocol (JSON-RPC) for coding agents: `MCPEndpoint` |
/// | `ui[?token=T]` | GET | the live page for people: `AdminPage` |
enum AdminAPI {
    /// What a handler gets: the request, the engine serving now, and the service (reloads,
    /// metrics).
    struct Call {
        let request: HTTPRequest
        let engine: ScenarioEngine
        let service: ScenarioService

        /// A query parameter's first non-empty value.
        func parameter(_ name: String) -> String? {
            QueryString.first(name, in: request.query ?? "").flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    typealias Handler = @Sendable (Call) -> LabeledResponse

    /// Path (after the prefix) → its methods and their handlers, in the order `Allow` lists them.
    static let routes: [String: [(method: String, handler: Handler)]] = [
        "/health": [("GET", { $0.engine.healthAnswer() })],
        "/scenarios": [("GET", { $0.engine.catalogAnswer($0) })],
        "/reset": [("POST", { $0.engine.resetAnswer($0) })],
        "/requests": [("GET", { $0.engine.journalAnswer($0) }), ("DELETE", { $0.engine.clearJournalAnswer() })],
        "/scenario": [("PUT", { $0.engine.stickyAnswer($0) }), ("DELETE", { $0.engine.clearStickyAnswer($0) })],
        "/state": [("GET", { $0.engine.stateAnswer($0) }), ("POST", { $0.engine.storeItem($0.request) })],
        "/clock": [("GET", { ScenarioEngine.json($0.engine.clockStatus()) }), ("POST", { $0.engine.moveClock($0.request) })],
        "/reload": [("GET", { $0.service.reloadAnswer(post: false) }), ("POST", { $0.service.reloadAnswer(post: true) })],
        "/metrics": [("GET", { $0.service.metricsAnswer(engine: $0.engine) })],
        "/verdicts": [("GET", { $0.engine.verdictsAnswer($0) })],
        "/mcp": [("POST", { MCPEndpoint.answer($0) })],
        "/ui": [("GET", { _ in AdminPage.answer })],
    ]

    /// Whether `request` is for the admin API: its path (found once, when it was parsed) starts
    /// with the prefix.
    static func isAdmin(_ request: HTTPRequest, prefix: String) -> Bool {
        // Bytes compared in place: a generic `starts(with:)` over two UTF-8 views cost ~200
        // instructions on every request (callgrind).
        var path = request.path
        var prefix = prefix
        return path.withUTF8 { p in prefix.withUTF8 { q in p.count >= q.count && UnsafeBufferPointer(rebasing: p[..<q.count]).equals(q) } }
    }

    static func respond(to request: HTTPRequest, engine: ScenarioEngine, service: ScenarioService) -> LabeledResponse {
        let prefix = engine.options.adminPrefix
        let path = String(request.path.dropFirst(prefix.utf8.count))
        if path != "/health", let refusal = engine.adminRefusal(request, queryToken: path == "/ui" ? QueryString.first("token", in: request.query ?? "") : nil) { return refusal }
        guard let route = routes[path] else {
            return FaultlineResponses.error(status: 404, code: "no-admin-endpoint", message: "No admin endpoint \(request.path). Try \(prefix)/health, /scenarios, /reset, /requests, /scenario, /state, /clock, /reload, /metrics, /verdicts, /mcp or /ui.")
        }
        // HEAD is answered as GET (the writer leaves the body out).
        let method = request.method == "HEAD" ? "GET" : request.method
        guard let handler = route.first(where: { $0.method == method })?.handler else {
            let allowed = route.map(\.method).joined(separator: ", ")
            return FaultlineResponses.error(status: 405, code: "method-not-allowed", message: "\(request.path) takes \(allowed).", extraHeaders: [("Allow", allowed)])
        }
        return handler(Call(request: request, engine: engine, service: service))
    }
}
