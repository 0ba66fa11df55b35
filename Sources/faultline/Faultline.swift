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
        subcommands: [Serve.self, Validate.self, List.self, Health.self],
        defaultSubcommand: Serve.self
    )
}

struct ScenarioDirectoryOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory of scenario files; repeat it to serve several, a later vendor replacing an earlier one of the same name (default: $FAULTLINE_SCENARIOS, ':'-separated, else the bundled Scenarios/).", valueName: "dir"))
    var scenarios: [String] = []
}

/// `serve`'s options. Each one's environment variable (FAULTLINE_ and the option's name in
/// capitals, `-` as `_`) is its default, so `docker run -e FAULTLINE_PORT=9000` works; the flag wins.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the scenario files over HTTP (the default).",
        discussion: "Every option can also be set by an environment variable: FAULTLINE_ and its name in capitals with '_' for '-' (FAULTLINE_PORT, FAULTLINE_TLS_SELF_SIGNED). Repeatable options take a comma-separated list there (FAULTLINE_SET=a.b=1,c.d=2); flags take 1/true."
    )

    @Option(help: "Address to listen on ($FAULTLINE_HOST; the Docker image sets 0.0.0.0).")
    var host: String = EnvironmentDefaults.value("FAULTLINE_HOST", "127.0.0.1")

    @Option(help: "Port to listen on, 0 picks a free one ($FAULTLINE_PORT).")
    var port: UInt16 = EnvironmentDefaults.value("FAULTLINE_PORT", 8080)

    @OptionGroup var directory: ScenarioDirectoryOption

    @Flag(help: "Reload the scenario files when they change ($FAULTLINE_WATCH); a broken file keeps the previous scenarios serving.")
    var watch = false

    @Option(name: .customLong("watch-interval"), help: "Seconds between checks of the scenario files under --watch ($FAULTLINE_WATCH_INTERVAL).")
    var watchInterval: Double = EnvironmentDefaults.value("FAULTLINE_WATCH_INTERVAL", 0.5)

    @Option(name: .customLong("scenario-param"), help: "Query parameter that names the scenario ($FAULTLINE_SCENARIO_PARAM).")
    var scenarioParameter: String = EnvironmentDefaults.value("FAULTLINE_SCENARIO_PARAM", "scenario")

    @Option(help: "Mount only this vendor, at / instead of /<vendor>, for SDKs with fixed paths ($FAULTLINE_VENDOR).")
    var vendor: String?

    @Option(name: .customLong("listen"), help: ArgumentHelp("Also listen on PORT with VENDOR at its root, for SDKs with fixed paths; every vendor stays under /<vendor> on --port, and state, admin API and metrics are shared (repeatable; $FAULTLINE_LISTEN).", valueName: "vendor=port"))
    var listen: [String] = EnvironmentDefaults.list("FAULTLINE_LISTEN")

    @Flag(help: "Write one JSON access-log line per request to standard output ($FAULTLINE_LOG).")
    var log = false

    @Option(name: .customLong("request-timeout"), help: "Seconds a client may take to send one request before it gets 408 ($FAULTLINE_REQUEST_TIMEOUT).")
    var requestTimeout: Double = EnvironmentDefaults.value("FAULTLINE_REQUEST_TIMEOUT", 10)

    @Option(name: .customLong("idle-timeout"), help: "Seconds an idle keep-alive connection stays open ($FAULTLINE_IDLE_TIMEOUT).")
    var idleTimeout: Double = EnvironmentDefaults.value("FAULTLINE_IDLE_TIMEOUT", 60)

    @Option(name: .customLong("max-body-size"), help: "Largest request body in bytes, larger gets 413 ($FAULTLINE_MAX_BODY_SIZE).")
    var maxBodySize: Int = EnvironmentDefaults.value("FAULTLINE_MAX_BODY_SIZE", 1_048_576)

    @Option(name: .customLong("event-loops"), help: "Event loops (serial queues); 0 means one per CPU ($FAULTLINE_EVENT_LOOPS).")
    var eventLoops: Int = EnvironmentDefaults.value("FAULTLINE_EVENT_LOOPS", 0)

    @Option(name: .customLong("admin-token"), help: "Protect the admin API (/__faultline/, health excepted) with this token ($FAULTLINE_ADMIN_TOKEN).")
    var adminToken: String?

    @Option(name: .customLong("journal-size"), help: "Requests kept in the journal (GET /__faultline/requests); 0 turns it off ($FAULTLINE_JOURNAL_SIZE).")
    var journalSize: Int = EnvironmentDefaults.value("FAULTLINE_JOURNAL_SIZE", 1_000)

    @Option(name: .customLong("rate-limit"), help: ArgumentHelp("Replace a vendor's declared limit, e.g. aftership=3/1s or price2b.quotes=2/60s (repeatable; $FAULTLINE_RATE_LIMIT).", valueName: "vendor[.group]=N/window"))
    var rateLimits: [String] = EnvironmentDefaults.list("FAULTLINE_RATE_LIMIT")

    @Option(name: .customLong("tls-cert"), help: "Serve HTTPS with this PEM certificate chain, with --tls-key ($FAULTLINE_TLS_CERT).")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "The PEM private key for --tls-cert ($FAULTLINE_TLS_KEY).")
    var tlsKey: String?

    @Option(name: .customLong("tls-self-signed"), help: ArgumentHelp("Serve HTTPS with a key and certificate made at start for localhost and 127.0.0.1, writing the certificate's PEM to this path for curl --cacert ($FAULTLINE_TLS_SELF_SIGNED).", valueName: "cert.pem"))
    var tlsSelfSigned: String?

    @Option(name: .customLong("tls-port"), help: "Serve HTTPS on this port and plain HTTP on --port; without it, HTTPS replaces plain HTTP on --port ($FAULTLINE_TLS_PORT).")
    var tlsPort: UInt16?

    @Flag(name: .customLong("no-compression"), help: "Never gzip or deflate responses; request bodies are still decoded ($FAULTLINE_NO_COMPRESSION).")
    var noCompression = false

    @Option(name: .customLong("max-decoded-body-size"), help: "Largest request body after undoing its Content-Encoding, in bytes; over it: 413 ($FAULTLINE_MAX_DECODED_BODY_SIZE).")
    var maxDecodedBodySize: Int = EnvironmentDefaults.value("FAULTLINE_MAX_DECODED_BODY_SIZE", 8 * 1024 * 1024)

    @Option(name: .customLong("chaos"), help: ArgumentHelp("Inject outcomes with a probability into requests that name no scenario, e.g. 'aftership:429@0.1,reset@0.02' ($FAULTLINE_CHAOS).", valueName: "[vendor:]scenario@p,..."))
    var chaos: String?

    @Option(name: .customLong("seed"), help: "Seed for chaos and delay ranges: the same seed and request order give the same outcomes; default from the clock, printed at start ($FAULTLINE_SEED).")
    var seed: UInt64?

    @Option(name: .customLong("max-hold"), help: "Longest a response is held back (delays, the hang fault), in seconds ($FAULTLINE_MAX_HOLD).")
    var maxHold: Double = EnvironmentDefaults.value("FAULTLINE_MAX_HOLD", 120)

    @Option(name: .customLong("set"), help: ArgumentHelp("Replace a setting a scenario file declares, e.g. price2b.quote_validity_seconds=1 (repeatable; $FAULTLINE_SET).", valueName: "vendor.name=value"))
    var settings: [String] = EnvironmentDefaults.list("FAULTLINE_SET")

    @Option(name: .customLong("max-state-bytes"), help: "Bytes of stored items one vendor keeps for all clients together; past it, clients idle for 5 minutes are forgotten, else writes get 507 ($FAULTLINE_MAX_STATE_BYTES).")
    var maxStateBytes: Int = EnvironmentDefaults.value("FAULTLINE_MAX_STATE_BYTES", StateLimits().vendorBytes)

    @Option(name: .customLong("max-client-state-bytes"), help: "Bytes of stored items one client keeps in one vendor; past it, its own oldest items go ($FAULTLINE_MAX_CLIENT_STATE_BYTES).")
    var maxClientStateBytes: Int = EnvironmentDefaults.value("FAULTLINE_MAX_CLIENT_STATE_BYTES", StateLimits().clientBytes)

    @Flag(name: .customLong("no-metrics"), help: "Do not count requests for GET /__faultline/metrics ($FAULTLINE_NO_METRICS).")
    var noMetrics = false

    /// Every number is range-checked before anything starts, naming the option and its
    /// variable: a timeout of 1e300 or a negative hold must not reach the server's clocks.
    func validate() throws {
        try OptionRange.check("--request-timeout", "FAULTLINE_REQUEST_TIMEOUT", requestTimeout, above: 0, atMost: OptionRange.maxSeconds)
        try OptionRange.check("--idle-timeout", "FAULTLINE_IDLE_TIMEOUT", idleTimeout, above: 0, atMost: OptionRange.maxSeconds)
        try OptionRange.check("--max-hold", "FAULTLINE_MAX_HOLD", maxHold, from: 0, atMost: OptionRange.maxSeconds)
        try OptionRange.check("--watch-interval", "FAULTLINE_WATCH_INTERVAL", watchInterval, from: 0.01, atMost: 3_600)
        try OptionRange.check("--max-body-size", "FAULTLINE_MAX_BODY_SIZE", maxBodySize, 0...OptionRange.maxBytes)
        try OptionRange.check("--max-decoded-body-size", "FAULTLINE_MAX_DECODED_BODY_SIZE", maxDecodedBodySize, 0...OptionRange.maxBytes)
        try OptionRange.check("--event-loops", "FAULTLINE_EVENT_LOOPS", eventLoops, 0...256)
        try OptionRange.check("--journal-size", "FAULTLINE_JOURNAL_SIZE", journalSize, 0...1_000_000)
        try OptionRange.check("--max-state-bytes", "FAULTLINE_MAX_STATE_BYTES", maxStateBytes, 65_536...(1 << 36))
        try OptionRange.check("--max-client-state-bytes", "FAULTLINE_MAX_CLIENT_STATE_BYTES", maxClientStateBytes, 4_096...maxStateBytes)
        // An empty token can be no secret: most likely an unset shell variable (`--admin-token "$TOKEN"`).
        // The variable, like every FAULTLINE_ variable, counts as unset when empty.
        if let adminToken, adminToken.isEmpty {
            throw ValidationError("--admin-token is empty: give a token, or leave the option out to keep the admin API open")
        }
    }

    func run() throws {
        // A parent may have blocked SIGTERM/SIGINT (test runners, some init shims); threads
        // inherit the mask when they are made, and a signal every thread blocks never reaches
        // the handler. So unblock them first, before Dispatch makes any thread.
        var handled = sigset_t()
        sigemptyset(&handled)
        sigaddset(&handled, SIGINT)
        sigaddset(&handled, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
        let vendor = self.vendor ?? EnvironmentDefaults.string("FAULTLINE_VENDOR")
        let adminToken = self.adminToken ?? EnvironmentDefaults.string("FAULTLINE_ADMIN_TOKEN")
        let tlsCert = self.tlsCert ?? EnvironmentDefaults.string("FAULTLINE_TLS_CERT")
        let tlsKey = self.tlsKey ?? EnvironmentDefaults.string("FAULTLINE_TLS_KEY")
        let tlsSelfSigned = self.tlsSelfSigned ?? EnvironmentDefaults.string("FAULTLINE_TLS_SELF_SIGNED")
        let tlsPort = self.tlsPort ?? EnvironmentDefaults.optional("FAULTLINE_TLS_PORT")
        let chaos = self.chaos ?? EnvironmentDefaults.string("FAULTLINE_CHAOS")
        let seed = self.seed ?? EnvironmentDefaults.optional("FAULTLINE_SEED")
        let watching = watch || EnvironmentDefaults.flag("FAULTLINE_WATCH")
        let logging = log || EnvironmentDefaults.flag("FAULTLINE_LOG")
        let compressing = !(noCompression || EnvironmentDefaults.flag("FAULTLINE_NO_COMPRESSION"))
        let metering = !(noMetrics || EnvironmentDefaults.flag("FAULTLINE_NO_METRICS"))
        try EnvironmentDefaults.check()

        let locations = try ScenarioDirectory.locateAll(explicit: directory.scenarios)
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
        let listeners = try VendorListener.parseAll(listen, mainPort: port)
        var options = ScenarioEngine.Options(scenarioParameter: scenarioParameter, singleVendor: vendor, rateLimitOverrides: overrides, adminToken: adminToken, journalSize: journalSize, settingOverrides: settingOverrides)
        options.rootVendors = listeners.map(\.vendor)
        options.chaos = chaosRules
        options.seed = seed
        options.stateLimits.vendorBytes = maxStateBytes
        options.stateLimits.clientBytes = maxClientStateBytes
        let service: ScenarioService
        do {
            service = try ScenarioService(source: .directories(locations), options: options, log: { Output.error($0) })
        } catch let error as ScenarioService.LoadError {
            throw ValidationError("no valid scenario file in \(locations.joined(separator: ", ")):\n\(error)")
        }
        for diagnostic in service.lastReload.diagnostics { Output.error("invalid scenario file: \(diagnostic)") }
        let engine = service.engine

        var configuration = HTTPServer.Configuration(host: host, port: port)
        configuration.requestTimeout = requestTimeout
        configuration.idleTimeout = idleTimeout
        configuration.limits.maxBodySize = maxBodySize
        configuration.compression.enabled = compressing
        configuration.metrics = metering
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
        configuration.extraPorts = listeners.map(\.port)
        configuration.maxHold = maxHold
        configuration.compression.maxDecodedBodySize = maxDecodedBodySize
        configuration.eventLoops = eventLoops
        if logging { configuration.accessLog = AccessLogFormatter.write }
        let server = HTTPServer(configuration: configuration, responder: service)
        service.attach(server)
        try server.start()
        if watching { service.watch(interval: watchInterval) }

        // One line: where it listens, what it serves, where its admin API is, how to replay it.
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let plainScheme = configuration.tls != nil && configuration.tlsPort == nil ? "https" : "http"
        var addresses = "\(plainScheme)://\(shownHost):\(server.port)"
        if let tls = server.tlsPort { addresses += " and https://\(shownHost):\(tls)" }
        for (listener, bound) in zip(listeners, server.extraPorts) {
            addresses += ", \(listener.vendor) at \(plainScheme)://\(shownHost):\(bound)/"
        }
        let probe = HealthProbe.probeAddress(forBindAddress: host)
        let adminHost = probe.contains(":") ? "[\(probe)]" : probe
        var line = "faultline \(Faultline.version) listening on \(addresses); vendors: \(engine.catalog.vendors.map(\.name).joined(separator: ", ")) (from \(locations.joined(separator: ", "))\(watching ? ", watched" : "")); admin: \(plainScheme)://\(adminHost):\(server.port)\(options.adminPrefix)/; seed \(engine.random.seed)"
        if !chaosRules.isEmpty { line += " (chaos: \(chaos ?? ""))" }
        if let path = tlsSelfSigned { line += "; self-signed certificate: \(path)" }
        Output.error(line)

        // SIGINT/SIGTERM: stop accepting, finish what is in flight, exit 0 (also as PID 1 in a
        // container, where the kernel ignores SIGTERM for a process without a handler).
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
            source.setEventHandler {
                Output.error("faultline: shutting down")
                service.stopWatching()
                server.shutdown { Glibc.exit(0) }
            }
            source.resume()
            sources.append(source)
        }
        withExtendedLifetime(sources) { dispatchMain() }
    }
}

/// The Docker HEALTHCHECK: asks a running `faultline serve` for `/__faultline/health` and exits
/// 0 when it answers 200, 1 otherwise. It reads the same FAULTLINE_* variables as `serve`, so
/// in the image it finds the server with no arguments, whatever address and port it was given.
struct Health: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Exit 0 if a running server answers its health check, 1 if not (for Docker HEALTHCHECK; no curl needed).")

    @Option(help: "The server's listen address; 0.0.0.0 and :: are probed on loopback ($FAULTLINE_HOST).")
    var host: String = EnvironmentDefaults.value("FAULTLINE_HOST", "127.0.0.1")

    @Option(help: "The server's port ($FAULTLINE_PORT).")
    var port: UInt16 = EnvironmentDefaults.value("FAULTLINE_PORT", 8080)

    @Flag(help: "Speak HTTPS (default: when FAULTLINE_TLS_* is set without FAULTLINE_TLS_PORT, HTTPS replaces HTTP on the port).")
    var tls = false

    @Option(help: "Seconds to wait for the answer.")
    var timeout: Double = 3

    @Option(name: .customLong("admin-prefix"), help: "Where the admin API lives.")
    var adminPrefix: String = "/__faultline"

    @Flag(help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        try OptionRange.check("--timeout", nil, timeout, above: 0, atMost: 3_600)
    }

    func run() throws {
        try EnvironmentDefaults.check()
        let httpsOnPort = (EnvironmentDefaults.string("FAULTLINE_TLS_CERT") != nil || EnvironmentDefaults.string("FAULTLINE_TLS_SELF_SIGNED") != nil) && EnvironmentDefaults.string("FAULTLINE_TLS_PORT") == nil
        let useTLS = tls || httpsOnPort
        do {
            let result = try HealthProbe.get(host: host, port: port, path: adminPrefix + "/health", tls: useTLS, timeout: timeout)
            guard result.status == 200 else {
                Output.error("faultline health: \(host):\(port) answered \(result.status): \(result.body)")
                throw ExitCode(1)
            }
            if !quiet { print(result.body) }
        } catch let failure as HealthProbe.Failure {
            Output.error("faultline health: \(failure)")
            throw ExitCode(1)
        }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check scenario files; print every problem with its file and JSON path.")

    @Argument(help: "Directory to check (default: the bundled Scenarios/).")
    var directory: String?

    func run() throws {
        let locations = try ScenarioDirectory.locateAll(explicit: directory.map { [$0] } ?? [])
        let (catalog, diagnostics) = ScenarioLoader.loadDirectories(locations)
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
        let locations = try ScenarioDirectory.locateAll(explicit: directory.scenarios)
        let (loaded, diagnostics) = ScenarioLoader.loadDirectories(locations)
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
