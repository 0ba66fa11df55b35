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
        let fd = try connectLoopback(port: port, timeout: timeout)
        self.fd = fd
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            close(fd)
            throw Failure(description: OpenSSLError.drain("SSL_CTX_new").description)
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
            let reason = OpenSSLError.drain("SSL_connect")
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
                let (status, reason, headers) = try TestResponse.parseHead(String(decoding: buffer[0..<end], as: UTF8.self))
                let length = headers["Content-Length"].flatMap { Int($0) } ?? 0
                while buffer.count < end + 4 + length { try fill() }
                let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                buffer.removeFirst(end + 4 + length)
                return TestResponse(status: status, reason: reason, headers: headers, body: body)
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
