#if canImport(Glibc)
import Glibc
#endif
internal import CFaultlineOpenSSL

/// How a client speaks TLS: whom it trusts, the name it expects, what it offers.
public struct TLSClientOptions: Sendable {
    /// A PEM file of certificates to verify the server against; nil: the system's store when
    /// `verifying`, else no verification (the health probe asks a server it was configured for,
    /// not a stranger).
    public var trusting: String?
    /// Verify the server's certificate and name (against `trusting`, or the system's store).
    public var verifying = false
    /// Sent as SNI and, when verifying, checked against the certificate.
    public var serverName: String?
    /// Offer ALPN `http/1.1`.
    public var offerHTTP11 = true

    public init(trusting: String? = nil, serverName: String? = nil) {
        self.trusting = trusting
        self.serverName = serverName
    }
}

/// The OpenSSL side of a client connection, owned here and freed in `deinit`; OpenSSL's error
/// queue is drained into the thrown error.
final class TLSClientSession {
    private let context: OpaquePointer
    private let ssl: OpaquePointer

    /// Completes the handshake on `fd` (which the caller keeps owning), or throws with OpenSSL's
    /// reasons and the certificate check's verdict.
    init(fd: Int32, options: TLSClientOptions) throws {
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw HTTPClientConnection.Failure(OpenSSLError.drain("SSL_CTX_new").description)
        }
        let verifying = options.verifying || options.trusting != nil
        if let caFile = options.trusting {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                SSL_CTX_free(context)
                throw HTTPClientConnection.Failure(OpenSSLError.drain("SSL_CTX_load_verify_locations(\(caFile))").description)
            }
        } else if verifying {
            SSL_CTX_set_default_verify_paths(context)
        }
        if verifying { SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil) }
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw HTTPClientConnection.Failure(OpenSSLError.drain("SSL_new").description)
        }
        self.context = context
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        if let name = options.serverName {
            // An address is checked against the certificate's IP entries and sent as no SNI
            // (RFC 6066 §3 names hosts only); a name against its DNS entries.
            // A name that cannot be set to be checked fails the connection: no check would pass anyone.
            if Self.isAddress(name) {
                if verifying, X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) != 1 {
                    throw HTTPClientConnection.Failure("cannot check the certificate against the address '\(name)'")
                }
            } else {
                _ = CFaultlineOpenSSL_SSL_set_host_name(ssl, name)
                if verifying, SSL_set1_host(ssl, name) != 1 {
                    throw HTTPClientConnection.Failure("cannot check the certificate against the name '\(name)'")
                }
            }
        }
        if options.offerHTTP11 { _ = CFaultlineOpenSSL_SSL_offer_http11(ssl) }
        ERR_clear_error()
        guard SSL_connect(ssl) == 1 else {
            let reason = OpenSSLError.drain("SSL_connect")
            let verify = X509_verify_cert_error_string(Int(SSL_get_verify_result(ssl))).map { String(cString: $0) } ?? "?"
            throw HTTPClientConnection.Failure(verifying ? "\(reason) (verify: \(verify))" : reason.description)
        }
    }

    private static func isAddress(_ name: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1
    }

    /// Frees OpenSSL's objects only: the close_notify is sent by `shutdown()`, while the
    /// socket is still the connection's (after close(2) its number may be someone else's).
    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    /// Sends close_notify.
    func shutdown() {
        SSL_shutdown(ssl)
    }

    /// Bytes written, or -1.
    func write(_ bytes: UnsafeRawBufferPointer) -> Int {
        Int(SSL_write(ssl, bytes.baseAddress, Int32(bytes.count)))
    }

    /// Bytes read; 0 at the end (close_notify or EOF); -1 on an error.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let n = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
        if n > 0 { return Int(n) }
        // close_notify, or the peer's EOF without one (a syscall error with errno 0), is the
        // end; a timeout (EAGAIN) or a reset is an error, as recv(2) would say.
        let error = SSL_get_error(ssl, n)
        if error == SSL_ERROR_ZERO_RETURN || (error == SSL_ERROR_SYSCALL && errno == 0) { return 0 }
        return -1
    }

    /// The protocol ALPN chose, e.g. "http/1.1".
    var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// "TLSv1.3" or "TLSv1.2".
    var protocolVersion: String { String(cString: SSL_get_version(ssl)) }
}
