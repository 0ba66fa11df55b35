import FaultlineHTTP
import FaultlineScenarios
import Synchronization

/// Requests to the bundled vendors, through the engine a server runs (minus the socket).
enum EngineTargets {
    /// `Scenarios/` of this checkout.
    static var bundledScenarios: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Scenarios"
    }

    /// One engine for the whole run, as one server serves a whole CI pipeline: what earlier
    /// inputs stored stays, as it would.
    static let service: ScenarioService = {
        var options = ScenarioEngine.Options(journalSize: 100)
        options.seed = 1
        do {
            return try ScenarioService(source: .directories([bundledScenarios]), options: options, strict: true, environment: { _ in nil })
        } catch {
            preconditionFailure("bundled scenarios: \(error)")
        }
    }()

    /// The engine the service serves with (no reloads happen while fuzzing).
    static var engine: ScenarioEngine { service.engine }

    /// Every endpoint as a concrete request line: path parameters filled with `x1`.
    static let endpoints: [(method: String, path: String)] = engine.catalog.vendors.flatMap { vendor in
        vendor.endpoints.flatMap { endpoint in
            FuzzInputs.paths(of: endpoint, in: vendor, "x1").map { (endpoint.method, $0) }
        }
    }

    /// Inputs run since the engine last forgot its state.
    private static let runs = Atomic<Int>(0)

    /// Every 5,000 inputs the engine forgets what they stored: lists of a thousand items would
    /// otherwise make every later input slow, and the fuzzer would run ten times fewer.
    private static func forgetNowAndThen() {
        if runs.wrappingAdd(1, ordering: .relaxed).newValue % 5_000 == 0 { engine.reset() }
    }

    /// Fields: query, scenario header, client header, credential, content type, body.
    static func request(_ bytes: [UInt8]) {
        forgetNowAndThen()
        guard let first = bytes.first else { return }
        let (method, path) = endpoints[Int(first) % endpoints.count]
        var fields = FuzzFields(bytes.dropFirst())
        let query = fields.text()
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "fuzz")
        let scenario = fields.text()
        if !scenario.isEmpty { headers.add(name: "X-Faultline-Scenario", value: scenario) }
        let client = fields.text()
        if !client.isEmpty { headers.add(name: "X-Faultline-Client", value: client) }
        let credential = fields.text()
        if !credential.isEmpty {
            for name in ["aftership-api-key", "as-api-key", "X-API-Key"] { headers.add(name: name, value: credential) }
            headers.add(name: "Authorization", value: (first & 1 == 0 ? "Bearer " : "bearer ") + credential)
        }
        let type = fields.text()
        headers.add(name: "Content-Type", value: type.isEmpty ? "application/json" : type)
        headers.add(name: "Accept", value: "application/json")
        let target = query.isEmpty ? path : path + "?" + query
        let request = HTTPRequest(method: first & 0x80 == 0 ? method : "HEAD", target: target, headers: headers, body: fields.bytes())
        Invariants.check(engine.respond(to: request), "\(request.method) \(target)")
    }

    static let adminRoutes: [(method: String, path: String)] = [
        ("POST", "/__faultline/state"), ("PUT", "/__faultline/scenario"), ("DELETE", "/__faultline/scenario"),
        ("POST", "/__faultline/reset"), ("GET", "/__faultline/requests"), ("DELETE", "/__faultline/requests"),
        ("GET", "/__faultline/state"), ("GET", "/__faultline/health"), ("GET", "/__faultline/scenarios"), ("PATCH", "/__faultline/state"),
        ("GET", "/__faultline/clock"),
    ]

    /// Fields: query, body. Sticky scenarios set here are cleared again, so that the request
    /// target keeps exploring the vendors' own answers.
    static func admin(_ bytes: [UInt8]) {
        forgetNowAndThen()
        guard let first = bytes.first else { return }
        let (method, path) = adminRoutes[Int(first) % adminRoutes.count]
        var fields = FuzzFields(bytes.dropFirst())
        let query = fields.text()
        let target = query.isEmpty ? path : path + "?" + query
        let request = HTTPRequest(method: method, target: target, headers: ["Content-Type": "application/json"], body: fields.bytes())
        Invariants.check(service.respond(to: request), "\(method) \(target)")
        if path.hasSuffix("/scenario") { _ = service.respond(to: HTTPRequest(method: "DELETE", target: "/__faultline/scenario")) }
        // Now a vendor request must still get a well-formed answer, whatever was stored.
        let (vendorMethod, vendorPath) = endpoints[Int(first) % endpoints.count]
        let follow = HTTPRequest(method: vendorMethod, target: vendorPath, headers: ["Content-Type": "application/json", "Authorization": "Bearer fuzz", "aftership-api-key": "fuzz", "X-API-Key": "fuzz"], body: Array("{}".utf8))
        Invariants.check(engine.respond(to: follow), "\(vendorMethod) \(vendorPath) after \(method) \(target)")
    }
}
