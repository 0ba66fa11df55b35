import ArgumentParser
import FaultlineHTTP

/// The Docker HEALTHCHECK: asks a running `faultline serve` for `/__faultline/health` and exits
/// 0 when it answers 200, 1 otherwise. It reads the same FAULTLINE_* variables as `serve`, so
/// in the image it finds the server with no arguments, whatever address and port it was given.
struct Health: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "health", abstract: "Exit 0 if a running server answers its health check, 1 if not (for Docker HEALTHCHECK; no curl needed).")

    @Option(help: "The server's listen address; 0.0.0.0 and :: are probed on loopback ($FAULTLINE_HOST).")
    var host: String = EnvironmentDefaults.value(option: "host", Serve.server.host)

    @Option(help: "The server's port ($FAULTLINE_PORT).")
    var port: UInt16 = EnvironmentDefaults.value(option: "port", Serve.server.port)

    @Flag(help: "Speak HTTPS (default: when FAULTLINE_TLS_* is set without FAULTLINE_TLS_PORT, HTTPS replaces HTTP on the port).")
    var tls = false

    @Option(help: "Seconds to wait for the answer.")
    var timeout: Double = 3

    @Option(name: .customLong("admin-prefix"), help: "Where the admin API lives.")
    var adminPrefix: String = Serve.engine.adminPrefix

    @Flag(help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        try OptionRange.check("--timeout", nil, timeout, above: 0, atMost: 3_600)
    }

    func run() throws {
        try EnvironmentDefaults.check()
        let httpsOnPort = (EnvironmentDefaults.string(option: "tls-cert") != nil || EnvironmentDefaults.string(option: "tls-self-signed") != nil) && EnvironmentDefaults.string(option: "tls-port") == nil
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
