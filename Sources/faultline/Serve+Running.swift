import ArgumentParser
import FaultlineHTTP
import FaultlineScenarios
#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// `serve` from parsed options to a running server: the options the flags left unset taken
/// from their variables, the engine's options, the server's configuration, one start-up line,
/// then signals.
extension Serve {
    /// What the flags and their FAULTLINE_ variables say, once both are read.
    struct Resolved {
        var vendor: String?
        var adminToken: String?
        var tlsCert: String?
        var tlsKey: String?
        var tlsSelfSigned: String?
        var tlsPort: UInt16?
        var chaos: String?
        var seed: UInt64?
        var watching: Bool
        var logging: Bool
        var compressing: Bool
        var metering: Bool
        var listeners: [VendorListener]
    }

    func run() throws {
        // SIGINT and SIGTERM are blocked from here on, in this thread and in every thread made
        // after it (threads inherit the mask), and taken with sigwait once the server runs: one
        // that arrives while the server starts waits pending instead of being lost or killing it.
        Self.blockShutdownSignals()

        let resolved = try resolve()
        let locations = try ScenarioDirectory.locateAll(explicit: directory.scenarios)
        let options = try engineOptions(resolved)
        // Made first and handed to both: the server counts into it, the admin API reports it.
        let metrics = ServerMetricsStore()
        let service: ScenarioService
        do {
            service = try ScenarioService(source: .directories(locations), options: options, metrics: metrics, log: { Output.error($0) })
        } catch let error as ScenarioService.LoadError {
            throw ValidationError("no valid scenario file in \(locations.joined(separator: ", ")):\n\(error)")
        }
        for diagnostic in service.lastReload.diagnostics { Output.error("invalid scenario file: \(diagnostic)") }

        var configuration = try serverConfiguration(resolved)
        configuration.metricsStore = metrics
        let server = HTTPServer(configuration: configuration, responder: service)
        try server.start()
        if resolved.watching { service.watch(interval: watchInterval) }
        Output.error(startLine(resolved, server: server, engine: service.engine, locations: locations))
        waitForSignals(service: service, server: server)
    }

    /// The optional options and flags, from the command line or else their variables.
    func resolve() throws -> Resolved {
        let resolved = Resolved(
            vendor: vendor ?? EnvironmentDefaults.string(option: "vendor"),
            adminToken: adminToken ?? EnvironmentDefaults.string(option: "admin-token"),
            tlsCert: tlsCert ?? EnvironmentDefaults.string(option: "tls-cert"),
            tlsKey: tlsKey ?? EnvironmentDefaults.string(option: "tls-key"),
            tlsSelfSigned: tlsSelfSigned ?? EnvironmentDefaults.string(option: "tls-self-signed"),
            tlsPort: tlsPort ?? EnvironmentDefaults.optional(option: "tls-port"),
            chaos: chaos ?? EnvironmentDefaults.string(option: "chaos"),
            seed: seed ?? EnvironmentDefaults.optional(option: "seed"),
            watching: watch || EnvironmentDefaults.flag(option: "watch"),
            logging: log || EnvironmentDefaults.flag(option: "log"),
            compressing: !(noCompression || EnvironmentDefaults.flag(option: "no-compression")),
            metering: !(noMetrics || EnvironmentDefaults.flag(option: "no-metrics")),
            listeners: try VendorListener.parseAll(listen, mainPort: port))
        try EnvironmentDefaults.check()
        return resolved
    }

    func engineOptions(_ resolved: Resolved) throws -> ScenarioEngine.Options {
        var options = ScenarioEngine.Options()
        options.scenarioParameter = scenarioParameter
        options.singleVendor = resolved.vendor
        options.adminToken = resolved.adminToken
        options.journalSize = journalSize
        options.rootVendors = resolved.listeners.map(\.vendor)
        options.seed = resolved.seed
        options.stateLimits.vendorBytes = maxStateBytes
        options.stateLimits.clientBytes = maxClientStateBytes
        options.rateLimitOverrides = try rateLimits.map { text in
            guard let override = RateLimitOverride(parsing: text) else {
                throw ValidationError("--rate-limit '\(text)': expected vendor[.group]=N/window, e.g. aftership=3/1s")
            }
            return override
        }
        options.settingOverrides = try settings.map { text in
            guard let override = SettingOverride(parsing: text) else {
                throw ValidationError("--set '\(text)': expected vendor.name=value, e.g. price2b.quote_validity_seconds=1")
            }
            return override
        }
        if let chaos = resolved.chaos {
            guard let parsed = ChaosRule.parse(chaos) else {
                throw ValidationError("--chaos '\(chaos)': expected [vendor:]scenario@probability,..., e.g. aftership:429@0.1,reset@0.02")
            }
            options.chaos = parsed
        }
        if !proxyUnmatched.isEmpty {
            options.passThrough = try passThrough(log: { Output.error($0) })
        }
        return options
    }

    /// `--proxy-unmatched [vendor=]url`, each upstream with the CA, the body limit and
    /// `--request-timeout` to answer in.
    func passThrough(log: @escaping @Sendable (String) -> Void) throws -> PassThrough {
        var passThrough = PassThrough()
        passThrough.log = log
        let caFile = upstreamCA ?? EnvironmentDefaults.string(option: "upstream-ca")
        for text in proxyUnmatched {
            var vendor: String?
            var url = text[...]
            if let equals = text.firstIndex(of: "="), !text[..<equals].contains(":"), !text[..<equals].contains("/") {
                vendor = String(text[..<equals])
                url = text[text.index(after: equals)...]
            }
            let upstream = try Upstream.option("--proxy-unmatched", text, url: String(url), caFile: caFile, timeout: requestTimeout, bodyLimit: upstreamBodyLimit)
            if let vendor {
                guard passThrough.upstreams[vendor] == nil else { throw ValidationError("--proxy-unmatched: vendor '\(vendor)' given twice") }
                passThrough.upstreams[vendor] = upstream
            } else {
                guard passThrough.fallback == nil else { throw ValidationError("--proxy-unmatched: more than one URL for every vendor") }
                passThrough.fallback = upstream
            }
        }
        return passThrough
    }

    func serverConfiguration(_ resolved: Resolved) throws -> HTTPServer.Configuration {
        var configuration = HTTPServer.Configuration(host: host, port: port)
        configuration.requestTimeout = requestTimeout
        configuration.idleTimeout = idleTimeout
        configuration.limits.maxBodySize = maxBodySize
        configuration.compression.enabled = resolved.compressing
        configuration.compression.maxDecodedBodySize = maxDecodedBodySize
        configuration.metrics = resolved.metering
        configuration.maxHold = maxHold
        configuration.eventLoops = eventLoops
        configuration.extraPorts = resolved.listeners.map(\.port)
        configuration.errorLog = { Output.error("faultline: \($0)") }
        if resolved.logging { configuration.accessLog = AccessLogFormatter.write }
        switch (resolved.tlsCert, resolved.tlsKey, resolved.tlsSelfSigned) {
        case (nil, nil, nil):
            if resolved.tlsPort != nil { throw ValidationError("--tls-port needs --tls-cert and --tls-key, or --tls-self-signed") }
        case (let cert?, let key?, nil):
            configuration.tls = try TLSContext(certificateFile: cert, keyFile: key)
        case (nil, nil, let path?):
            configuration.tls = try TLSContext.selfSigned(certificatePath: path)
        default:
            throw ValidationError("HTTPS takes either --tls-cert with --tls-key, or --tls-self-signed PATH")
        }
        configuration.tlsPort = resolved.tlsPort
        return configuration
    }

    /// One line: where it listens, what it serves, where its admin API is, how to replay it.
    func startLine(_ resolved: Resolved, server: HTTPServer, engine: ScenarioEngine, locations: [String]) -> String {
        let configuration = server.configuration
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let plainScheme = configuration.tls != nil && configuration.tlsPort == nil ? "https" : "http"
        var addresses = "\(plainScheme)://\(shownHost):\(server.port)"
        if let tls = server.tlsPort { addresses += " and https://\(shownHost):\(tls)" }
        for (listener, bound) in zip(resolved.listeners, server.extraPorts) {
            addresses += ", \(listener.vendor) at \(plainScheme)://\(shownHost):\(bound)/"
        }
        let probe = HealthProbe.probeAddress(forBindAddress: host)
        let adminHost = probe.contains(":") ? "[\(probe)]" : probe
        let vendors = engine.catalog.vendors.map(\.name).joined(separator: ", ")
        var line = "faultline \(Faultline.version) listening on \(addresses); vendors: \(vendors) (from \(locations.joined(separator: ", "))\(resolved.watching ? ", watched" : "")); admin: \(plainScheme)://\(adminHost):\(server.port)\(engine.options.adminPrefix)/; seed \(engine.random.seed)"
        if let chaos = resolved.chaos { line += " (chaos: \(chaos))" }
        if let path = resolved.tlsSelfSigned { line += "; self-signed certificate: \(path)" }
        if let passThrough = engine.options.passThrough {
            let upstreams = passThrough.upstreams.sorted { $0.key < $1.key }.map { "\($0.key) → \($0.value)" } + (passThrough.fallback.map { ["others → \($0)"] } ?? [])
            line += "; unmatched requests proxied: \(upstreams.joined(separator: ", "))"
        }
        return line
    }

    static var shutdownSignals: sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        return signals
    }

    static func blockShutdownSignals() {
        var signals = shutdownSignals
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }

    /// SIGINT/SIGTERM: stop accepting, finish what is in flight, exit 0 (also as PID 1 in a
    /// container, where the kernel ignores SIGTERM for a process without a handler). A second
    /// signal while in-flight requests finish exits at once (a second Ctrl-C).
    func waitForSignals(service: ScenarioService, server: HTTPServer) -> Never {
        var signals = Self.shutdownSignals
        var received: Int32 = 0
        while sigwait(&signals, &received) != 0 {}
        Output.error("faultline: shutting down")
        service.stopWatching()
        server.shutdown { Glibc.exit(0) }
        while sigwait(&signals, &received) != 0 {}
        Output.error("faultline: second signal, exiting without waiting")
        Glibc.exit(1)
    }
}
