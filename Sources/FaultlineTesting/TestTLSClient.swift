#if canImport(Glibc)
import Glibc
#endif
import FaultlineHTTP
internal import CFaultlineOpenSSL

/// A blocking HTTPS client for tests, over the same OpenSSL module as the server: it verifies
/// the server's certificate against `trusting` (a PEM file) for `localhost`, offers ALPN
/// `http/1.1`, and reads whole responses.
public final class TestTLSClient {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let fd: Int32
    private let context: OpaquePointer
    private let ssl: OpaquePointer
    private var buffer: [UInt8] = []

    /// Connects and completes the handshake, or throws with OpenSSL's reasons.
    public init(port: UInt16, trusting caFile: String?, serverName: String = "localhost", timeout: Double = 5) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.fd = fd
        guard fd >= 0 else { throw Failure(description: "socket failed: errno \(errno)") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0, let context = SSL_CTX_new(TLS_client_method()) else {
            close(fd)
            throw Failure(description: "connect to 127.0.0.1:\(port) failed: errno \(errno)")
        }
        self.context = context
        if let caFile {
            SSL_CTX_load_verify_locations(context, caFile, nil)
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        }
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            close(fd)
            throw Failure(description: "SSL_new failed")
        }
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        _ = CFaultlineOpenSSL_SSL_set_host_name(ssl, serverName)
        SSL_set1_host(ssl, serverName)
        _ = CFaultlineOpenSSL_SSL_offer_http11(ssl)
        ERR_clear_error()
        if SSL_connect(ssl) != 1 {
            let reason = OpenSSLError.drainForTests("SSL_connect")
            let verify = X509_verify_cert_error_string(Int(SSL_get_verify_result(ssl))).map { String(cString: $0) } ?? "?"
            throw Failure(description: "\(reason) (verify: \(verify))")
        }
    }

    deinit {
        SSL_shutdown(ssl)
        SSL_free(ssl)
        SSL_CTX_free(context)
        close(fd)
    }

    /// Sends a request and drops the connection with a reset before the answer comes back:
    /// the server's next write fails (EPIPE/ECONNRESET) and must not take it down.
    public func sendAndReset(_ method: String, _ target: String, headers: [(String, String)] = []) {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        let bytes = Array((text + "\r\n").utf8)
        _ = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// The protocol ALPN chose, e.g. "http/1.1".
    public var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// "TLSv1.3" or "TLSv1.2".
    public var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    public func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: String? = nil) throws -> TestResponse {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (body ?? "")
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
        guard written == Int32(bytes.count) else { throw Failure(description: "SSL_write failed") }
        return try readResponse()
    }

    private func readResponse() throws -> TestResponse {
        while true {
            if let end = headEnd() {
                let head = String(decoding: buffer[0..<end], as: UTF8.self)
                var lines = head.split(separator: "\r\n").map(String.init)
                let statusLine = lines.removeFirst()
                let parts = statusLine.split(separator: " ", maxSplits: 2)
                guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(description: "bad status line '\(statusLine)'") }
                var headers = HTTPHeaders()
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers.add(name: String(line[..<colon]), value: String(line[line.index(after: colon)...].drop { $0 == " " }))
                }
                let length = headers["Content-Length"].flatMap { Int($0) } ?? 0
                while buffer.count < end + 4 + length { try fill() }
                let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                buffer.removeFirst(end + 4 + length)
                return TestResponse(status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers, body: body)
            }
            try fill()
        }
    }

    private func headEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { return i }
        return nil
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let n = chunk.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
        guard n > 0 else { throw Failure(description: "SSL_read ended (\(SSL_get_error(ssl, n)))") }
        buffer.append(contentsOf: chunk[0..<Int(n)])
    }
}

extension OpenSSLError {
    static func drainForTests(_ call: String) -> String {
        var messages: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            messages.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "\(call) failed" : "\(call) failed: \(messages.joined(separator: "; "))"
    }
}
