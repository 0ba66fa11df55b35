#if canImport(Glibc)
import Glibc
#endif
internal import CFaultlineOpenSSL

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
    public static func get(host: String, port: UInt16, path: String, tls: Bool = false, timeout: Double = 3) throws -> Result {
        let address = probeAddress(forBindAddress: host)
        let fd: Int32
        do {
            fd = try Socket.connect(host: address, port: port, timeout: timeout)
        } catch {
            throw Failure(description: "\(error)")
        }
        defer { Glibc.close(fd) }
        let shownHost = address.contains(":") ? "[\(address)]" : address
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(shownHost):\(port)\r\nUser-Agent: faultline-health\r\nConnection: close\r\n\r\n".utf8)
        guard tls else {
            return try parse(exchange(request, write: { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }, read: { recv(fd, $0.baseAddress, $0.count, 0) }, call: ("send", "recv")))
        }
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw Failure(description: OpenSSLError.drain("SSL_CTX_new").description) }
        defer { SSL_CTX_free(context) }
        guard let ssl = SSL_new(context) else { throw Failure(description: OpenSSLError.drain("SSL_new").description) }
        defer { SSL_free(ssl) }
        SSL_set_fd(ssl, fd)
        ERR_clear_error()
        guard SSL_connect(ssl) == 1 else { throw Failure(description: OpenSSLError.drain("SSL_connect").description) }
        defer { SSL_shutdown(ssl) }
        // SSL_read's 0 or less at the end is the peer closing (close_notify or EOF): the answer is whole.
        return try parse(exchange(request, write: { Int(SSL_write(ssl, $0.baseAddress, Int32($0.count))) }, read: { max(0, Int(SSL_read(ssl, $0.baseAddress, Int32($0.count)))) }, call: ("SSL_write", "SSL_read")))
    }

    /// Writes all of `request`, then reads until the peer closes (at most 1 MiB).
    private static func exchange(_ request: [UInt8], write: (UnsafeRawBufferPointer) -> Int, read: (UnsafeMutableRawBufferPointer) -> Int, call: (write: String, read: String)) throws -> [UInt8] {
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { write(UnsafeRawBufferPointer(rebasing: $0[sent...])) }
            guard n > 0 else { throw Failure(description: SocketError.makeFailed(call.write).description) }
            sent += n
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while response.count < 1 << 20 {
            let n = chunk.withUnsafeMutableBytes { read($0) }
            if n == 0 { break }
            guard n > 0 else { throw Failure(description: SocketError.makeFailed(call.read).description) }
            response.append(contentsOf: chunk[0..<n])
        }
        return response
    }

    private static func parse(_ bytes: [UInt8]) throws -> Result {
        // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
        guard bytes.count >= 12, bytes.starts(with: Array("HTTP/1.".utf8)), bytes[8] == UInt8(ascii: " "),
              let status = Int(String(decoding: bytes[9..<12], as: UTF8.self)) else {
            throw Failure(description: "not an HTTP response (\(bytes.count) bytes)")
        }
        // The body follows the first empty line (CR LF CR LF).
        var bodyStart = bytes.count
        for i in 3..<bytes.count where bytes[i - 3] == 13 && bytes[i - 2] == 10 && bytes[i - 1] == 13 && bytes[i] == 10 {
            bodyStart = i + 1
            break
        }
        return Result(status: status, body: String(decoding: bytes[bodyStart...], as: UTF8.self))
    }
}
