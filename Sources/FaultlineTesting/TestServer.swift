#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FaultlineHTTP
import FaultlineScenarios

/// Faultline in-process for a test: the scenario files loaded, served on a free port of
/// 127.0.0.1, stopped when the test is done. It imports no test framework, so Swift Testing
/// and XCTest use it alike.
///
/// ```swift
/// // Swift Testing (or any code): stopped on every path out of the closure.
/// try await TestServer.with { faultline in
///     let url = faultline.baseURL.appending(path: "aftership/v4/trackings")
///     ...
/// }
///
/// // XCTest
/// let faultline = try TestServer.start()
/// addTeardownBlock { faultline.stop() }
/// ```
///
/// Scenarios come from the bundled vendors (the default), a directory of your own, or vendor
/// files written inline in the test (`start(files:)`).
public final class TestServer: @unchecked Sendable {
    public let server: HTTPServer
    /// The responder: the engine of the files as loaded now, reloadable.
    public let service: ScenarioService

    /// The engine serving now (a `reload()` replaces it).
    public var engine: ScenarioEngine { service.engine }
    public var port: UInt16 { server.port }
    /// The HTTPS port, when `configure` set `tls` and `tlsPort`.
    public var tlsPort: UInt16? { server.tlsPort }
    /// `http://127.0.0.1:PORT` (or `https://` when HTTPS replaces HTTP), for your client's base URL.
    public var baseURLString: String {
        "\(server.configuration.tls != nil && server.configuration.tlsPort == nil ? "https" : "http")://127.0.0.1:\(port)"
    }
    public var baseURL: URL { URL(string: baseURLString)! }

    /// The port serving `vendor` at its root, when the options put it there (`rootVendors`):
    /// what an SDK with absolute paths (`/tracking/2026-07/...`) is pointed at.
    public func port(of vendor: String) -> UInt16? {
        guard let i = service.options.rootVendors.firstIndex(of: vendor), i < server.extraPorts.count else { return nil }
        return server.extraPorts[i]
    }

    public struct NoRootPort: Error, CustomStringConvertible {
        public let description: String
    }

    /// Moves the emulation's clock `seconds` ahead: rate limits refill, `Retry-After` counts
    /// down, quotes expire, `{{now}}` moves; the `Date` header stays real.
    public func advanceClock(by seconds: Double) {
        engine.clock.advance(by: seconds)
    }

    /// Stops the emulation's clock (until `resumeClock()` or `reset()`).
    public func freezeClock() { engine.clock.freeze() }

    /// Lets the emulation's clock run again from where it stood.
    public func resumeClock() { engine.clock.resume() }

    /// A new connection to the port serving `vendor` at its root.
    public func client(of vendor: String, timeout: Double = 5) throws -> TestHTTPClient {
        guard let port = port(of: vendor) else { throw NoRootPort(description: "no port serves '\(vendor)' at its root; list it in ScenarioEngine.Options.rootVendors") }
        return try TestHTTPClient(port: port, timeout: timeout)
    }

    /// `Scenarios/` of the Faultline checkout this library was built from (also when it is a
    /// package dependency: SwiftPM keeps the whole checkout, `Scenarios/` included).
    public static var bundledScenariosDirectory: String {
        // …/Sources/FaultlineTesting/TestServer.swift → …/Scenarios
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Scenarios"
    }

    public typealias LoadError = ScenarioService.LoadError

    private init(service: ScenarioService, configuration: HTTPServer.Configuration) throws {
        self.service = service
        var configuration = configuration
        configuration.metricsStore = service.metricsStore
        self.server = HTTPServer(configuration: configuration, responder: service)
        try server.start()
    }

    deinit {
        server.stop()
    }

    /// Serves the bundled vendors, or the files of `scenarios` (a directory). Any invalid file
    /// fails the start with every problem named (file, JSON path, message).
    public static func start(
        scenarios: String? = nil,
        options: ScenarioEngine.Options = .init(),
        configure: (inout HTTPServer.Configuration) -> Void = { _ in }
    ) throws -> TestServer {
        try start(source: .directories([scenarios ?? bundledScenariosDirectory]), options: options, configure: configure)
    }

    /// Serves vendor files written in the test: `["acme.json": #"{"vendor":"acme", ...}"#]`,
    /// with the bundled vendors beside them when `withBundled` is set.
    public static func start(
        files: KeyValuePairs<String, String>,
        withBundled: Bool = false,
        options: ScenarioEngine.Options = .init(),
        configure: (inout HTTPServer.Configuration) -> Void = { _ in }
    ) throws -> TestServer {
        let inline = files.map { ScenarioService.InlineFile(name: $0.key, json: $0.value) }
        let source: ScenarioService.Source = withBundled ? .combined(directories: [bundledScenariosDirectory], files: inline) : .files(inline)
        return try start(source: source, options: options, configure: configure)
    }

    /// Serves `source` on 127.0.0.1, a free port, two event loops.
    public static func start(
        source: ScenarioService.Source,
        options: ScenarioEngine.Options = .init(),
        configure: (inout HTTPServer.Configuration) -> Void = { _ in }
    ) throws -> TestServer {
        let service = try ScenarioService(source: source, options: options, strict: true)
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.eventLoops = 2
        // A free port of its own for each vendor the options put at a root (`rootVendors`).
        configuration.extraPorts = options.rootVendors.map { _ in 0 }
        configure(&configuration)
        return try TestServer(service: service, configuration: configuration)
    }

    /// Starts a server, runs `body` with it, and stops it however `body` ends.
    public static func with<R>(
        scenarios: String? = nil,
        options: ScenarioEngine.Options = .init(),
        _ body: (TestServer) throws -> R
    ) throws -> R {
        let server = try start(scenarios: scenarios, options: options)
        defer { server.stop() }
        return try body(server)
    }

    /// Starts a server, awaits `body` with it, and stops it however `body` ends.
    public static func with<R>(
        scenarios: String? = nil,
        options: ScenarioEngine.Options = .init(),
        _ body: (TestServer) async throws -> R
    ) async throws -> R {
        let server = try start(scenarios: scenarios, options: options)
        defer { server.stop() }
        return try await body(server)
    }

    /// Forgets rate-limit buckets, sequence positions, sticky scenarios and stored items, of
    /// every client or of one; the journal is kept (`clearJournal()`).
    public func reset(client: String? = nil) {
        engine.reset(client: client)
    }

    /// The requests answered so far, oldest first (vendor, endpoint, scenario, status).
    public func requests(client: String? = nil, pathPrefix: String? = nil) -> [JournalEntry] {
        engine.journal.entries(client: client, pathPrefix: pathPrefix)
    }

    public func clearJournal() {
        engine.journal.clear()
    }

    /// How each client has retried so far (or one client), judged by the vendors' `retry`
    /// rules: what `GET /__faultline/verdicts` reports.
    public func verdicts(client: String? = nil) -> [RetryVerdict] {
        engine.verdicts(client: client).verdicts
    }

    /// Throws, and so fails the test, when a client's retries broke a vendor's rule at
    /// `failOn` or worse; the error lists every finding with its requests and the vendor's words.
    ///
    /// ```swift
    /// try await myClient.createLabel()        // against ?scenario=flaky
    /// try server.requireGoodRetries(client: "checkout-tests")
    /// ```
    public func requireGoodRetries(client: String? = nil, failOn: VerdictReport.Severity = .error) throws {
        let report = VerdictReport(verdicts(client: client))
        if report.fails(at: failOn) { throw RetryViolations(report: report.text()) }
    }

    /// Reads the scenario files again; a broken file keeps the previous ones serving and
    /// comes back in the status's `diagnostics`.
    @discardableResult
    public func reload() -> ScenarioService.ReloadStatus {
        service.reload()
    }

    /// A blocking client on the plain HTTP port.
    public func client(timeout: Double = 5) throws -> TestHTTPClient {
        try TestHTTPClient(port: port, timeout: timeout)
    }

    /// Stops accepting, lets requests in flight finish, closes everything. Safe to call twice;
    /// also done when the last reference goes away.
    public func stop() {
        service.stopWatching()
        server.stop()
    }
}

/// A client's retries broke a vendor's rule; `description` is the report.
public struct RetryViolations: Error, CustomStringConvertible, Sendable {
    public let report: String
    public var description: String { "The client's retries broke the vendor's rules:\n" + report }
}
