import ArgumentParser
import FaultlineHTTP
import FaultlineScenarios
#if canImport(Glibc)
import Glibc
#endif

/// `faultline record`: a reverse proxy to a real API that turns what passes through it into a
/// scenario file for that vendor.
struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Proxy a real API and record its answers into a scenario file.",
        discussion: """
        Every request is sent on to --upstream unchanged and its answer comes back unchanged. On \
        SIGINT, SIGTERM or POST /__faultline/record/stop, OUT/VENDOR.json is written (merged into \
        the file when it exists): one endpoint per method and path template, its first success as \
        the response, each error as a scenario named by the vendor's code. Credentials are \
        replaced by REDACTED. Exit status: 0 when the file was written and loads, 1 otherwise.
        """)

    @Option(help: ArgumentHelp("The real API: an http:// or https:// URL, optionally with a base path.", valueName: "url"))
    var upstream: String

    @Option(help: "The vendor's name in the file (and the file's name).")
    var vendor: String

    @Option(help: ArgumentHelp("Directory the file is written to (made when missing).", valueName: "dir"))
    var out: String

    @Option(help: "Address to listen on.")
    var host: String = Serve.server.host

    @Option(help: "Port to listen on, 0 picks a free one.")
    var port: UInt16 = Serve.server.port

    @Option(name: .customLong("upstream-ca"), help: ArgumentHelp("Check an https upstream's certificate against this PEM file instead of the system's store.", valueName: "ca.pem"))
    var upstreamCA: String?

    @Option(name: .customLong("request-timeout"), help: "Seconds a client may take to send a request, and the upstream to answer one (else 502).")
    var requestTimeout: Double = Serve.server.requestTimeout

    @Option(name: .customLong("upstream-body-limit"), help: "Largest upstream answer body, in bytes; over it: 502, not recorded.")
    var upstreamBodyLimit: Int = Upstream.defaultBodyLimit

    func validate() throws {
        try OptionRange.check("--request-timeout", nil, requestTimeout, above: 0, atMost: OptionRange.maxSeconds)
        try OptionRange.check("--upstream-body-limit", nil, upstreamBodyLimit, 0...OptionRange.maxBytes)
        guard VendorSpec.isValidName(vendor) else {
            throw ValidationError("--vendor '\(vendor)': lower-case letters, digits and '-', starting with a letter or digit")
        }
    }

    func run() throws {
        Serve.blockShutdownSignals()
        let target = try Upstream.option("--upstream", upstream, caFile: upstreamCA, timeout: requestTimeout, bodyLimit: upstreamBodyLimit)
        let recorder = Recorder(upstream: target, vendor: vendor, directory: out, log: { Output.error($0) }, stopRequested: { kill(getpid(), SIGTERM) })
        var configuration = HTTPServer.Configuration(host: host, port: port)
        configuration.requestTimeout = requestTimeout
        let server = HTTPServer(configuration: configuration, responder: recorder)
        try server.start()
        let shownHost = host.contains(":") ? "[\(host)]" : host
        Output.error("faultline record: proxying http://\(shownHost):\(server.port) to \(target) as vendor \(vendor); Ctrl-C, SIGTERM or POST \(Recorder.controlPath)/stop writes \(recorder.path)")

        var signals = Serve.shutdownSignals
        var received: Int32 = 0
        while sigwait(&signals, &received) != 0 {}
        // Written already when the stop came over HTTP; else now.
        var outcome = recorder.lastOutcome
        if outcome == nil {
            do {
                outcome = try recorder.write()
            } catch {
                Output.error("faultline record: \(error)")
            }
        }
        let status: Int32 = outcome.map { Self.report($0, file: $0.file) } == true ? 0 : 1
        server.shutdown { Glibc.exit(status) }
        while sigwait(&signals, &received) != 0 {}
        Glibc.exit(1)
    }

    /// Prints what was written; false when the file does not load.
    static func report(_ outcome: Recorder.Outcome, file: String) -> Bool {
        let summary = outcome.summary
        Output.error("faultline record: wrote \(file): \(summary.exchanges) exchanges, \(summary.endpoints.count) endpoints and \(summary.scenarios.count) scenarios added")
        for line in summary.endpoints { Output.error("  endpoint \(line)") }
        for line in summary.scenarios { Output.error("  scenario \(line)") }
        for line in summary.skipped { Output.error("  skipped \(line)") }
        for line in outcome.problems { Output.error("  invalid: \(line)") }
        return outcome.problems.isEmpty
    }
}
