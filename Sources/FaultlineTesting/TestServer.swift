import FaultlineHTTP
import FaultlineScenarios

/// A Faultline server for tests: scenario files loaded, bound to a free port on 127.0.0.1.
/// Always `stop()` it (a `defer` right after `start`).
///
/// ```swift
/// let server = try TestServer.start()
/// defer { server.stop() }
/// let response = try server.client().request("POST", "/aftership/v4/trackings?scenario=4003", body: "{}")
/// ```
public final class TestServer: @unchecked Sendable {
    public let server: HTTPServer
    public let engine: ScenarioEngine

    public var port: UInt16 { server.port }
    /// The HTTPS port, when `configure` set `tls` and `tlsPort`.
    public var tlsPort: UInt16? { server.tlsPort }

    /// `Scenarios/` of this checkout.
    public static var bundledScenariosDirectory: String {
        // …/Sources/FaultlineTesting/TestServer.swift → …/Scenarios
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Scenarios"
    }

    public struct LoadError: Error, CustomStringConvertible {
        public let diagnostics: [ScenarioDiagnostic]
        public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
    }

    public init(engine: ScenarioEngine, configuration: HTTPServer.Configuration) throws {
        self.engine = engine
        self.server = HTTPServer(configuration: configuration, responder: engine)
        try server.start()
    }

    /// Loads `scenarios` (the bundled directory by default; any diagnostic fails the start) and serves it.
    public static func start(
        scenarios: String? = nil,
        options: ScenarioEngine.Options = .init(),
        configure: (inout HTTPServer.Configuration) -> Void = { _ in }
    ) throws -> TestServer {
        let (catalog, diagnostics) = ScenarioLoader.loadDirectory(scenarios ?? bundledScenariosDirectory)
        guard diagnostics.isEmpty else { throw LoadError(diagnostics: diagnostics) }
        let engine = try ScenarioEngine(catalog: catalog, options: options)
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.eventLoops = 2
        configure(&configuration)
        return try TestServer(engine: engine, configuration: configuration)
    }

    public func client(timeout: Double = 5) throws -> TestHTTPClient {
        try TestHTTPClient(port: port, timeout: timeout)
    }

    public func stop() {
        server.stop()
    }
}
