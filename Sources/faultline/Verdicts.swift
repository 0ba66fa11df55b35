import ArgumentParser
import FaultlineHTTP
import FaultlineScenarios

/// The CI step after the integration tests: asks a running server how its clients retried,
/// prints the findings, writes JUnit XML for the CI's test report, and fails the step on a
/// violation.
struct Verdicts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verdicts",
        abstract: "Print how each client retried (judged by the vendors' retry rules); exit 1 on a violation.",
        discussion: "Exit status: 0 when no finding reaches --fail-on, 1 when one does, 2 when the server cannot be asked.")

    @Option(help: "The running server (http://HOST:PORT or https://...).")
    var url: String = "http://127.0.0.1:\(EnvironmentDefaults.value(option: "port", Serve.server.port))"

    @Option(help: "Only this client (its X-Faultline-Client, ?faultline_client= or credential).")
    var client: String?

    @Option(help: "Write the findings as JUnit XML to this file.", completion: .file())
    var junit: String?

    @Option(name: .customLong("fail-on"), help: "The least severe finding that fails: error or warning.")
    var failOn: FailOn = .error

    @Option(name: .customLong("admin-token"), help: "The server's admin token, when it has one ($FAULTLINE_ADMIN_TOKEN).")
    var adminToken: String?

    @Option(name: .customLong("admin-prefix"), help: "Where the admin API lives.")
    var adminPrefix: String = Serve.engine.adminPrefix

    @Option(help: "Seconds to wait for the answer.")
    var timeout: Double = 10

    enum FailOn: String, ExpressibleByArgument, CaseIterable {
        case error, warning
    }

    func validate() throws {
        try OptionRange.check("--timeout", nil, timeout, above: 0, atMost: 3_600)
        _ = try target()
    }

    /// The URL's scheme, host and port.
    func target() throws -> (tls: Bool, host: String, port: UInt16) {
        let tls = url.hasPrefix("https://")
        guard tls || url.hasPrefix("http://") else { throw ValidationError("--url: expected http://HOST:PORT or https://HOST:PORT, got '\(url)'") }
        var rest = Substring(url.dropFirst(tls ? 8 : 7))
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        var host = rest, port: UInt16 = tls ? 443 : 80
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let number = UInt16(rest[rest.index(after: colon)...]) else { throw ValidationError("--url: '\(url)' has no valid port") }
            host = rest[..<colon]
            port = number
        }
        guard !host.isEmpty else { throw ValidationError("--url: '\(url)' has no host") }
        return (tls, String(host), port)
    }

    func run() throws {
        let (tls, host, port) = try target()
        var path = adminPrefix + "/verdicts"
        if let client { path += "?client=" + PercentEncoding.encode(client) }
        let result: HealthProbe.Result
        do {
            result = try HealthProbe.get(host: host, port: port, path: path, tls: tls, timeout: timeout, headers: (adminToken ?? EnvironmentDefaults.string(option: "admin-token")).map { [("X-Faultline-Admin-Token", $0)] } ?? [])
        } catch let failure as HealthProbe.Failure {
            Output.error("faultline verdicts: \(url): \(failure)")
            throw ExitCode(2)
        }
        guard result.status == 200 else {
            Output.error("faultline verdicts: \(url)\(path) answered \(result.status): \(result.body)")
            throw ExitCode(2)
        }
        let report: VerdictReport
        do { report = try VerdictReport(json: Array(result.body.utf8)) } catch {
            Output.error("faultline verdicts: \(error)")
            throw ExitCode(2)
        }
        print(report.text(), terminator: "")
        let severity: VerdictReport.Severity = failOn == .warning ? .warning : .error
        if let junit {
            do { try FileOutput.write(report.junit(failOn: severity), to: junit) } catch {
                Output.error("faultline verdicts: cannot write \(junit): \(error)")
                throw ExitCode(2)
            }
        }
        if report.fails(at: severity) { throw ExitCode(1) }
    }
}
