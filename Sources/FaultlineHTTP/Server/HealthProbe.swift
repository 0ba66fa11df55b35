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
        let fd = try connect(to: address, port: port, timeout: timeout)
        defer { Glibc.close(fd) }
        let shownHost = address.contains(":") ? "[\(address)]" : address
        let request = Array("GET \(path) HTTP/1.1\r\nHost: \(shownHost):\(port)\r\nUser-Agent: faultline-health\r\nConnection: close\r\n\r\n".utf8)
        let bytes: [UInt8]
        if tls {
            bytes = try exchangeOverTLS(fd: fd, request: request)
        } else {
            bytes = try exchange(fd: fd, request: request)
        }
        return try parse(bytes)
    }

    private static func connect(to address: String, port: UInt16, timeout: Double) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(address, String(port), &hints, &result)
        guard status == 0, let info = result else {
            throw Failure(description: "getaddrinfo(\(address)) failed: \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: SocketError.makeFailed("socket").description) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let error = SocketError.makeFailed("connect(\(address):\(port))")
            Glibc.close(fd)
            throw Failure(description: error.description)
        }
        return fd
    }

    private static func exchange(fd: Int32, request: [UInt8]) throws -> [UInt8] {
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: SocketError.makeFailed("send").description) }
            sent += n
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while response.count < 1 << 20 {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else { throw Failure(description: SocketError.makeFailed("recv").description) }
            response.append(contentsOf: chunk[0..<n])
        }
        return response
    }

    private static func exchangeOverTLS(fd: Int32, request: [UInt8]) throws -> [UInt8] {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw Failure(description: OpenSSLError.drain("SSL_CTX_new").description) }
        defer { SSL_CTX_free(context) }
        guard let ssl = SSL_new(context) else { throw Failure(description: OpenSSLError.drain("SSL_new").description) }
        defer { SSL_free(ssl) }
        SSL_set_fd(ssl, fd)
        ERR_clear_error()
        guard SSL_connect(ssl) == 1 else { throw Failure(description: OpenSSLError.drain("SSL_connect").description) }
        let written = request.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
        guard written == Int32(request.count) else { throw Failure(description: OpenSSLError.drain("SSL_write").description) }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while response.count < 1 << 20 {
            let n = chunk.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            if n <= 0 { break }
            response.append(contentsOf: chunk[0..<Int(n)])
        }
        SSL_shutdown(ssl)
        return response
    }

    private static func parse(_ bytes: [UInt8]) throws -> Result {
        // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
        guard bytes.count >= 12, bytes.starts(with: Array("HTTP/1.".utf8)), bytes[8] == UInt8(ascii: " "),
              let status = Int(String(decoding: bytes[9..<12], as: UTF8.self)) else {
            throw Failure(description: "not an HTTP response (\(bytes.count) bytes)")
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        var bodyStart = bytes.count
        if bytes.count >= 4 {
            for i in 0...(bytes.count - 4) where bytes[i] == 13 && Array(bytes[i..<(i + 4)]) == separator {
                bodyStart = i + 4
                break
            }
        }
        return Result(status: status, body: String(decoding: bytes[bodyStart...], as: UTF8.self))
    }
}
