import ArgumentParser
import FaultlineHTTP
import FaultlineScenarios
#if canImport(Glibc)
import Glibc
#endif
import Dispatch

@main
struct Faultline: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "faultline",
        abstract: "A mock API server that fails exactly the way real vendors document.",
        discussion: """
        With no subcommand, `faultline` serves the bundled scenarios on http://127.0.0.1:8080.
        Pick a response per request with ?scenario=NAME or the X-Faultline-Scenario header.
        """,
        version: version,
        subcommands: [Serve.self, Validate.self, List.self],
        defaultSubcommand: Serve.self
    )
}

struct ScenarioDirectoryOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory of scenario files (default: the bundled Scenarios/).", valueName: "dir"))
    var scenarios: String?
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the scenario files over HTTP (the default).")

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: UInt16 = 8080

    @OptionGroup var directory: ScenarioDirectoryOption

    @Option(name: .customLong("scenario-param"), help: "Query parameter that names the scenario.")
    var scenarioParameter: String = "scenario"

    @Option(help: "Mount only this vendor, at / instead of /<vendor>, for SDKs with fixed paths.")
    var vendor: String?

    @Flag(help: "Write one JSON access-log line per request to standard output.")
    var log = false

    @Option(name: .customLong("request-timeout"), help: "Seconds a client may take to send one request before it gets 408.")
    var requestTimeout: Double = 10

    @Option(name: .customLong("idle-timeout"), help: "Seconds an idle keep-alive connection stays open.")
    var idleTimeout: Double = 60

    @Option(name: .customLong("max-body-size"), help: "Largest request body in bytes (larger gets 413).")
    var maxBodySize: Int = 1_048_576

    @Option(name: .customLong("event-loops"), help: "Event loops (serial queues); 0 means one per CPU.")
    var eventLoops: Int = 0

    @Option(name: .customLong("admin-token"), help: "Protect the admin API (/__faultline/, health excepted) with this token.")
    var adminToken: String?

    @Option(name: .customLong("journal-size"), help: "Requests kept in the journal (GET /__faultline/requests); 0 turns it off.")
    var journalSize: Int = 1_000

    @Option(name: .customLong("rate-limit"), help: ArgumentHelp("Replace a vendor's declared limit, e.g. aftership=3/1s or price2b.quotes=2/60s (repeatable).", valueName: "vendor[.group]=N/window"))
    var rateLimits: [String] = []

    @Option(name: .customLong("tls-cert"), help: "Serve HTTPS with this PEM certificate chain (with --tls-key).")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "The PEM private key for --tls-cert.")
    var tlsKey: String?

    @Option(name: .customLong("tls-self-signed"), help: ArgumentHelp("Serve HTTPS with a key and certificate made at start for localhost and 127.0.0.1, writing the certificate's PEM to this path (for curl --cacert).", valueName: "cert.pem"))
    var tlsSelfSigned: String?

    @Option(name: .customLong("tls-port"), help: "Serve HTTPS on this port and plain HTTP on --port; without it, HTTPS replaces plain HTTP on --port.")
    var tlsPort: UInt16?

    @Flag(name: .customLong("no-compression"), help: "Never gzip or deflate responses (request bodies are still decoded).")
    var noCompression = false

    @Option(name: .customLong("max-decoded-body-size"), help: "Largest request body after undoing its Content-Encoding, in bytes; over it: 413.")
    var maxDecodedBodySize: Int = 8 * 1024 * 1024

    @Option(name: .customLong("chaos"), help: ArgumentHelp("Inject outcomes with a probability into requests that name no scenario, e.g. 'aftership:429@0.1,reset@0.02'.", valueName: "[vendor:]scenario@p,..."))
    var chaos: String?

    @Option(name: .customLong("seed"), help: "Seed for chaos and delay ranges: the same seed and request order give the same outcomes (default: from the clock, printed at start).")
    var seed: UInt64?

    @Option(name: .customLong("max-hold"), help: "Longest a response is held back (delays, the hang fault), in seconds.")
    var maxHold: Double = 120

    @Option(name: .customLong("set"), help: ArgumentHelp("Replace a setting a scenario file declares, e.g. price2b.quote_validity_seconds=1 (repeatable).", valueName: "vendor.name=value"))
    var settings: [String] = []

    func run() throws {
        let location = try ScenarioDirectory.locate(explicit: directory.scenarios)
        let (catalog, diagnostics) = ScenarioLoader.loadDirectory(location)
        for diagnostic in diagnostics { Output.error("invalid scenario file: \(diagnostic)") }
        guard !catalog.vendors.isEmpty else {
            throw ValidationError("no valid scenario file in \(location)")
        }
        let overrides = try rateLimits.map { text in
            guard let override = RateLimitOverride(parsing: text) else {
                throw ValidationError("--rate-limit '\(text)': expected vendor[.group]=N/window, e.g. aftership=3/1s")
            }
            return override
        }
        let settingOverrides = try settings.map { text in
            guard let override = SettingOverride(parsing: text) else {
                throw ValidationError("--set '\(text)': expected vendor.name=value, e.g. price2b.quote_validity_seconds=1")
            }
            return override
        }
        var chaosRules: [ChaosRule] = []
        if let chaos {
            guard let parsed = ChaosRule.parse(chaos) else {
                throw ValidationError("--chaos '\(chaos)': expected [vendor:]scenario@probability,..., e.g. aftership:429@0.1,reset@0.02")
            }
            chaosRules = parsed
        }
        var options = ScenarioEngine.Options(scenarioParameter: scenarioParameter, singleVendor: vendor, rateLimitOverrides: overrides, adminToken: adminToken, journalSize: journalSize, settingOverrides: settingOverrides)
        options.chaos = chaosRules
        options.seed = seed
        let engine = try ScenarioEngine(catalog: catalog, options: options)

        var configuration = HTTPServer.Configuration(host: host, port: port)
        configuration.requestTimeout = requestTimeout
        configuration.idleTimeout = idleTimeout
        configuration.limits.maxBodySize = maxBodySize
        configuration.compression.enabled = !noCompression
        configuration.errorLog = { Output.error("faultline: \($0)") }
        switch (tlsCert, tlsKey, tlsSelfSigned) {
        case (nil, nil, nil):
            if tlsPort != nil { throw ValidationError("--tls-port needs --tls-cert and --tls-key, or --tls-self-signed") }
        case (let cert?, let key?, nil):
            configuration.tls = try TLSContext(certificateFile: cert, keyFile: key)
        case (nil, nil, let path?):
            configuration.tls = try TLSContext.selfSigned(certificatePath: path)
        default:
            throw ValidationError("HTTPS takes either --tls-cert with --tls-key, or --tls-self-signed PATH")
        }
        configuration.tlsPort = tlsPort
        configuration.maxHold = maxHold
        configuration.compression.maxDecodedBodySize = maxDecodedBodySize
        configuration.eventLoops = eventLoops
        if log { configuration.accessLog = AccessLogFormatter.write }
        let server = HTTPServer(configuration: configuration, responder: engine)
        try server.start()

        let shownHost = host.contains(":") ? "[\(host)]" : host
        let scheme = configuration.tls != nil && configuration.tlsPort == nil ? "https" : "http"
        Output.error("faultline \(Faultline.version) serving \(engine.catalog.vendors.count) vendor(s) from \(location) on \(scheme)://\(shownHost):\(server.port)\(server.tlsPort.map { " and https://\(shownHost):\($0)" } ?? "")")
        if let path = tlsSelfSigned { Output.error("  self-signed certificate for localhost, 127.0.0.1: \(path)") }
        Output.error("  random seed: \(engine.random.seed)\(chaosRules.isEmpty ? "" : " (chaos: \(chaos ?? ""))") (replay with --seed \(engine.random.seed))")
        for spec in engine.catalog.vendors {
            Output.error("  \(spec.name): http://\(host.contains(":") ? "[\(host)]" : host):\(server.port)\(vendor == nil ? "/" + spec.name : "")\(spec.basePaths.first ?? "")")
        }

        // SIGINT/SIGTERM: stop accepting, finish what is in flight, exit 0 (also as PID 1 in a container).
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
            source.setEventHandler {
                Output.error("faultline: shutting down")
                server.shutdown { Glibc.exit(0) }
            }
            source.resume()
            sources.append(source)
        }
        withExtendedLifetime(sources) { dispatchMain() }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check scenario files; print every problem with its file and JSON path.")

    @Argument(help: "Directory to check (default: the bundled Scenarios/).")
    var directory: String?

    func run() throws {
        let location = try ScenarioDirectory.locate(explicit: directory)
        let (catalog, diagnostics) = ScenarioLoader.loadDirectory(location)
        for vendor in catalog.vendors {
            let scenarios = vendor.errors.count + vendor.endpoints.reduce(0) { $0 + $1.scenarios.count }
            print("\(vendor.file): ok (vendor \(vendor.name), \(vendor.endpoints.count) endpoints, \(scenarios) named responses)")
        }
        for diagnostic in diagnostics { print("\(diagnostic)") }
        if !diagnostics.isEmpty {
            throw ExitCode(1)
        }
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List vendors, endpoints and scenario names with their statuses.")

    @OptionGroup var directory: ScenarioDirectoryOption

    @Flag(help: "Print the catalog as JSON.")
    var json = false

    @Option(help: "List only this vendor, as mounted by `serve --vendor`.")
    var vendor: String?

    func run() throws {
        let location = try ScenarioDirectory.locate(explicit: directory.scenarios)
        let (loaded, diagnostics) = ScenarioLoader.loadDirectory(location)
        for diagnostic in diagnostics { Output.error("invalid scenario file: \(diagnostic)") }
        var catalog = loaded
        if let vendor {
            catalog.vendors = catalog.vendors.filter { $0.name == vendor }
            guard !catalog.vendors.isEmpty else { throw ValidationError("no vendor named '\(vendor)'") }
        }
        if json {
            print(CatalogListing.json(catalog, singleVendor: vendor != nil).serializedString)
        } else {
            print(CatalogListing.text(catalog, singleVendor: vendor != nil))
        }
    }
}
