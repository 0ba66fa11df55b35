#if canImport(Glibc)
import Glibc
#endif

/// A one-shot `GET` against a running server, for `faultline health` (the Docker HEALTHCHECK):
/// images built on `debian:bookworm-slim` have no curl, so the binary probes itself.
///
/// A wildcard bind address is probed on loopback (`0.0.0.0` → `127.0.0.1`, `::` → `::1`):
/// the server listening everywhere is reachable there, which is what a health check inside
/// the container needs (a health check that connects to `0.0.0.0` literally is WireMock #2878).
public enum HealthProbe {
    public struct Result: Sendable, Equatable {
        public var status: Int
        public var body: String
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// The address to connect to for a server bound to `host`.
    public static func probeAddress(forBindAddress host: String) -> String {
        switch host {
        case "", "0.0.0.0", "*": "127.0.0.1"
        case "::", "[::]": "::1"
        default: host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        }
    }

    /// Sends `GET path` to `host:port` (over TLS without certificate checks when `tls`: the probe
    /// asks a server it was configured for, not a stranger) and reads the status and body.
    public static func get(host: String, port: UInt16, path: String, tls: Bool = false, timeout: Double = 3, headers: [(String, String)] = []) throws -> Result {
        let address = probeAddress(forBindAddress: host)
        let shownHost = address.contains(":") ? "[\(address)]" : address
        do {
            let connection = try HTTPClientConnection(host: address, port: port, timeout: timeout, tls: tls ? TLSClientOptions() : nil)
            let extra = headers.map { "\($0.0): \($0.1)\r\n" }.joined()
            try connection.send(Array("GET \(path) HTTP/1.1\r\nHost: \(shownHost):\(port)\r\nUser-Agent: faultline\r\n\(extra)Connection: close\r\n\r\n".utf8))
            let response = try connection.readResponse()
            return Result(status: response.status, body: String(decoding: response.body, as: UTF8.self))
        } catch let failure as HTTPClientConnection.Failure {
            throw Failure(description: failure.description)
        }
    }
}
