import ArgumentParser
import FaultlineHTTP
import FaultlineScenarios

/// `serve`'s options. Each one's environment variable (FAULTLINE_ and the option's name in
/// capitals, `-` as `_`) is its default, so `docker run -e FAULTLINE_PORT=9000` works; the flag wins.
struct Serve: ParsableCommand {
    // Every command names itself: without a name, ArgumentParser derives one from the type
    // through `String(describing:)`, a runtime type lookup that cost 5M instructions (a
    // fifth of start-up) across the commands.
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the scenario files over HTTP (the default).",
        discussion: "Every option can also be set by an environment variable: FAULTLINE_ and its name in capitals with '_' for '-' (FAULTLINE_PORT, FAULTLINE_TLS_SELF_SIGNED). Repeatable options take a comma-separated list there (FAULTLINE_SET=a.b=1,c.d=2); flags take 1/true."
    )

    /// Where the defaults live: the library's own configuration types, read once here.
    static let server = HTTPServer.Configuration()
    static let engine = ScenarioEngine.Options()

    @Option(help: "Address to listen on ($FAULTLINE_HOST; the Docker image sets 0.0.0.0).")
    var host: String = EnvironmentDefaults.value(option: "host", Self.server.host)

    @Option(help: "Port to listen on, 0 picks a free one ($FAULTLINE_PORT).")
    var port: UInt16 = EnvironmentDefaults.value(option: "port", Self.server.port)

    @OptionGroup var directory: ScenarioDirectoryOption

    @Flag(help: "Reload the scenario files when they change ($FAULTLINE_WATCH); a broken file keeps the previous scenarios serving.")
    var watch = false

    @Option(name: .customLong("watch-interval"), help: "Seconds between checks of the scenario files under --watch ($FAULTLINE_WATCH_INTERVAL).")
    var watchInterval: Double = EnvironmentDefaults.value(option: "watch-interval", ScenarioService.defaultWatchInterval)

    @Option(name: .customLong("scenario-param"), help: "Query parameter that names the scenario ($FAULTLINE_SCENARIO_PARAM).")
    var scenarioParameter: String = EnvironmentDefaults.value(option: "scenario-param", Self.engine.scenarioParameter)

    @Option(help: "Mount only this vendor, at / instead of /<vendor>, for SDKs with fixed paths ($FAULTLINE_VENDOR).")
    var vendor: String?

    @Option(name: .customLong("listen"), help: ArgumentHelp("Also listen on PORT with VENDOR at its root, for SDKs with fixed paths; every vendor stays under /<vendor> on --port, and state, admin API and metrics are shared (repeatable; $FAULTLINE_LISTEN).", valueName: "vendor=port"))
    var listen: [String] = EnvironmentDefaults.list(option: "listen")

    @Flag(help: "Write one JSON access-log line per request to standard output ($FAULTLINE_LOG).")
    var log = false

    @Option(name: .customLong("request-timeout"), help: "Seconds a client may take to send one request before it gets 408 ($FAULTLINE_REQUEST_TIMEOUT).")
    var requestTimeout: Double = EnvironmentDefaults.value(option: "request-timeout", Self.server.requestTimeout)

    @Option(name: .customLong("idle-timeout"), help: "Seconds an idle keep-alive connection stays open ($FAULTLINE_IDLE_TIMEOUT).")
    var idleTimeout: Double = EnvironmentDefaults.value(option: "idle-timeout", Self.server.idleTimeout)

    @Option(name: .customLong("max-body-size"), help: "Largest request body in bytes, larger gets 413 ($FAULTLINE_MAX_BODY_SIZE).")
    var maxBodySize: Int = EnvironmentDefaults.value(option: "max-body-size", Self.server.limits.maxBodySize)

    @Option(name: .customLong("event-loops"), help: "Event loops (one thread each); 0 means one per CPU ($FAULTLINE_EVENT_LOOPS).")
    var eventLoops: Int = EnvironmentDefaults.value(option: "event-loops", Self.server.eventLoops)

    @Option(name: .customLong("admin-token"), help: "Protect the admin API (/__faultline/, health excepted) with this token ($FAULTLINE_ADMIN_TOKEN).")
    var adminToken: String?

    @Option(name: .customLong("journal-size"), help: "Requests kept in the journal (GET /__faultline/requests); 0 turns it off ($FAULTLINE_JOURNAL_SIZE).")
    var journalSize: Int = EnvironmentDefaults.value(option: "journal-size", Self.engine.journalSize)

    @Option(name: .customLong("rate-limit"), help: ArgumentHelp("Replace a vendor's declared limit, e.g. aftership=3/1s or price2b.quotes=2/60s (repeatable; $FAULTLINE_RATE_LIMIT).", valueName: "vendor[.group]=N/window"))
    var rateLimits: [String] = EnvironmentDefaults.list(option: "rate-limit")

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
    var maxDecodedBodySize: Int = EnvironmentDefaults.value(option: "max-decoded-body-size", Self.server.compression.maxDecodedBodySize)

    @Option(name: .customLong("chaos"), help: ArgumentHelp("Inject outcomes with a probability into requests that name no scenario, e.g. 'aftership:429@0.1,reset@0.02' ($FAULTLINE_CHAOS).", valueName: "[vendor:]scenario@p,..."))
    var chaos: String?

    @Option(name: .customLong("seed"), help: "Seed for chaos and delay ranges: the same seed and request order give the same outcomes; default from the clock, printed at start ($FAULTLINE_SEED).")
    var seed: UInt64?

    @Option(name: .customLong("max-hold"), help: "Longest a response is held back (delays, the hang fault), in seconds ($FAULTLINE_MAX_HOLD).")
    var maxHold: Double = EnvironmentDefaults.value(option: "max-hold", Self.server.maxHold)

    @Option(name: .customLong("set"), help: ArgumentHelp("Replace a setting a scenario file declares, e.g. price2b.quote_validity_seconds=1 (repeatable; $FAULTLINE_SET).", valueName: "vendor.name=value"))
    var settings: [String] = EnvironmentDefaults.list(option: "set")

    @Option(name: .customLong("max-state-bytes"), help: "Bytes of stored items one vendor keeps for all clients together; past it, clients idle for 5 minutes are forgotten, else writes get 507 ($FAULTLINE_MAX_STATE_BYTES).")
    var maxStateBytes: Int = EnvironmentDefaults.value(option: "max-state-bytes", Self.engine.stateLimits.vendorBytes)

    @Option(name: .customLong("max-client-state-bytes"), help: "Bytes of stored items one client keeps in one vendor; past it, its own oldest items go ($FAULTLINE_MAX_CLIENT_STATE_BYTES).")
    var maxClientStateBytes: Int = EnvironmentDefaults.value(option: "max-client-state-bytes", Self.engine.stateLimits.clientBytes)

    @Option(name: .customLong("proxy-unmatched"), help: ArgumentHelp("Send a request that matches no endpoint of its vendor to the real API at this URL instead of answering 404 or 405; VENDOR=URL for one vendor (repeatable; $FAULTLINE_PROXY_UNMATCHED). The upstream has --request-timeout to answer, else 502.", valueName: "[vendor=]url"))
    var proxyUnmatched: [String] = EnvironmentDefaults.list(option: "proxy-unmatched")

    @Option(name: .customLong("upstream-ca"), help: ArgumentHelp("Check an https upstream's certificate against this PEM file instead of the system's store ($FAULTLINE_UPSTREAM_CA).", valueName: "ca.pem"))
    var upstreamCA: String?

    @Option(name: .customLong("upstream-body-limit"), help: "Largest upstream answer body passed on, in bytes; over it: 502 ($FAULTLINE_UPSTREAM_BODY_LIMIT).")
    var upstreamBodyLimit: Int = EnvironmentDefaults.value(option: "upstream-body-limit", Upstream.defaultBodyLimit)

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
        try OptionRange.check("--upstream-body-limit", "FAULTLINE_UPSTREAM_BODY_LIMIT", upstreamBodyLimit, 0...OptionRange.maxBytes)
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
}
