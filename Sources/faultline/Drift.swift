import ArgumentParser
import FaultlineHTTP
import FaultlineScenarios

/// `faultline drift`: asks the live API the requests a vendor file can safely repeat and
/// reports where the answers no longer look like the file.
struct Drift: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Check a vendor's scenario file against the live API; exit 1 on drift.",
        discussion: """
        For each GET endpoint (and each one --include names) with a recorded example, or a path \
        without parameters, the request is sent to --against and the answer compared with the \
        file: status, JSON shape (keys and value types, recursively) and significant fields \
        (Content-Type, rate limits, Retry-After, Location, WWW-Authenticate). Exit status: 0 \
        without drift, 1 with drift, 2 when a request got no answer.
        """)

    @Option(help: ArgumentHelp("The live API: an http:// or https:// URL, optionally with a base path.", valueName: "url"))
    var against: String

    @Option(help: "The vendor to check.")
    var vendor: String

    @OptionGroup var directory: ScenarioDirectoryOption

    @Option(name: .customLong("header"), help: ArgumentHelp("A header for the live API, e.g. 'Authorization: Bearer sk_...' (repeatable); not sent where the recorded request had no credential.", valueName: "name: value"))
    var headers: [String] = []

    @Option(help: ArgumentHelp("Also repeat this endpoint though it is not a GET: its id or 'METHOD /path' (repeatable).", valueName: "endpoint"))
    var include: [String] = []

    @Option(help: ArgumentHelp("A value for a query parameter the file keeps none of (a recorded secret such as api_key) (repeatable).", valueName: "name=value"))
    var query: [String] = []

    @Option(name: .customLong("upstream-ca"), help: ArgumentHelp("Check an https API's certificate against this PEM file instead of the system's store.", valueName: "ca.pem"))
    var upstreamCA: String?

    @Option(help: "Seconds each request may take.")
    var timeout: Double = 10

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        try OptionRange.check("--timeout", nil, timeout, above: 0, atMost: 3_600)
    }

    func run() throws {
        let upstream = try Upstream.option("--against", against, caFile: upstreamCA, timeout: timeout)
        let fields = try headers.map { text -> (String, String) in
            guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else { throw ValidationError("--header '\(text)': expected 'Name: value'") }
            return (String(text[..<colon]), String(text[text.index(after: colon)...].drop { $0 == " " }))
        }
        let locations = try ScenarioDirectory.locateAll(explicit: directory.scenarios)
        let (catalog, diagnostics) = ScenarioLoader.loadDirectories(locations)
        for diagnostic in diagnostics { Output.error("invalid scenario file: \(diagnostic)") }
        guard let spec = catalog.vendors.first(where: { $0.name == vendor }) else { throw ValidationError("no vendor named '\(vendor)' in \(locations.joined(separator: ", "))") }

        var secrets: [String: String] = [:]
        for text in query {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { throw ValidationError("--query '\(text)': expected name=value") }
            secrets[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        let (probes, skipped) = DriftPlan.probes(for: spec, include: include, secrets: secrets)
        let results = DriftCheck.run(probes, against: upstream, headers: fields)
        let drifted = results.filter(\.drifted).count
        let failed = results.filter(\.failed).count
        if json {
            print(DriftReport.json(vendor: vendor, against: upstream.description, results: results, skipped: skipped).serializedString)
        } else {
            print(DriftReport.text(vendor: vendor, against: upstream.description, results: results, skipped: skipped), terminator: "")
        }
        if failed > 0 { throw ExitCode(2) }
        if drifted > 0 { throw ExitCode(1) }
    }
}
