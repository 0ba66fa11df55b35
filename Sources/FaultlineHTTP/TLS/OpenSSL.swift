#if canImport(Glibc)
import Glibc
#endif
internal import CFaultlineOpenSSL

/// Errors from OpenSSL, with the library's error queue drained into the message.
public struct OpenSSLError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let queue: [String]

    package static func drain(_ call: String) -> OpenSSLError {
        var messages: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return OpenSSLError(call: call, queue: messages)
    }

    public var description: String {
        queue.isEmpty ? "\(call) failed" : "\(call) failed: \(queue.joined(separator: "; "))"
    }
}

/// A server-side TLS context: TLS 1.2 and 1.3 only, ALPN `http/1.1`, a certificate and key
/// from PEM files or made at start. Owns its `SSL_CTX` and frees it in `deinit`.
public final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer

    /// The linked OpenSSL's version text, e.g. "OpenSSL 3.0.19 27 Jan 2026".
    public static var libraryVersion: String { String(cString: OpenSSL_version(Int32(OPENSSL_VERSION))) }

    /// A context with no certificate yet.
    public init() throws {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw OpenSSLError.drain("SSL_CTX_new") }
        self.context = context
        guard CFaultlineOpenSSL_SSL_CTX_set_min_proto_version(context, CFaultlineOpenSSL_TLS1_2_VERSION()) == 1 else {
            throw OpenSSLError.drain("SSL_CTX_set_min_proto_version")
        }
        CFaultlineOpenSSL_SSL_CTX_set_nonblocking_modes(context)
        CFaultlineOpenSSL_SSL_CTX_set_read_ahead(context)
        CFaultlineOpenSSL_SSL_CTX_select_http11(context)
    }

    /// A context serving the certificate chain and private key in these PEM files.
    public convenience init(certificateFile: String, keyFile: String) throws {
        try self.init()
        guard SSL_CTX_use_certificate_chain_file(context, certificateFile) == 1 else {
            throw OpenSSLError.drain("SSL_CTX_use_certificate_chain_file(\(certificateFile))")
        }
        guard SSL_CTX_use_PrivateKey_file(context, keyFile, SSL_FILETYPE_PEM) == 1 else {
            throw OpenSSLError.drain("SSL_CTX_use_PrivateKey_file(\(keyFile))")
        }
        guard SSL_CTX_check_private_key(context) == 1 else { throw OpenSSLError.drain("SSL_CTX_check_private_key") }
    }

    /// A context with a fresh P-256 key and a self-signed certificate for `localhost` and
    /// `127.0.0.1` (and `names`), valid for a year. The certificate's PEM is written to
    /// `certificatePath` when given, so a client can trust it (`curl --cacert`).
    public static func selfSigned(names: [String] = [], certificatePath: String? = nil, keyPath: String? = nil) throws -> TLSContext {
        let made = try TLSContext()
        ERR_clear_error()
        guard let key = CFaultlineOpenSSL_EC_P256_gen() else { throw OpenSSLError.drain("EVP_EC_gen") }
        defer { EVP_PKEY_free(key) }
        guard let certificate = X509_new() else { throw OpenSSLError.drain("X509_new") }
        defer { X509_free(certificate) }
        X509_set_version(certificate, 2)
        var serial = SystemRandomNumberGenerator()
        ASN1_INTEGER_set(X509_get_serialNumber(certificate), Int(UInt32.random(in: 1...UInt32.max, using: &serial)))
        X509_gmtime_adj(X509_getm_notBefore(certificate), -3_600)
        X509_gmtime_adj(X509_getm_notAfter(certificate), 365 * 24 * 3_600)
        X509_set_pubkey(certificate, key)
        let subject = X509_get_subject_name(certificate)
        X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC, "Faultline", -1, -1, 0)
        X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, "localhost", -1, -1, 0)
        X509_set_issuer_name(certificate, subject)
        var hosts = ["DNS:localhost", "IP:127.0.0.1", "IP:::1"]
        for name in names where !name.isEmpty {
            hosts.append((name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x3A } ? "IP:" : "DNS:") + name)
        }
        // A self-signed certificate is its own trust anchor: a CA that may sign itself, and a
        // server certificate for the names above.
        var v3 = X509V3_CTX()
        X509V3_set_ctx(&v3, certificate, certificate, nil, nil, 0)
        for (nid, value) in [(NID_basic_constraints, "critical,CA:TRUE"), (NID_key_usage, "critical,digitalSignature,keyCertSign"),
                             (NID_ext_key_usage, "serverAuth"), (NID_subject_key_identifier, "hash"), (NID_subject_alt_name, hosts.joined(separator: ","))] {
            guard let extensionValue = X509V3_EXT_conf_nid(nil, &v3, nid, value) else { throw OpenSSLError.drain("X509V3_EXT_conf_nid(\(value))") }
            X509_add_ext(certificate, extensionValue, -1)
            X509_EXTENSION_free(extensionValue)
        }
        guard X509_sign(certificate, key, EVP_sha256()) > 0 else { throw OpenSSLError.drain("X509_sign") }
        guard SSL_CTX_use_certificate(made.context, certificate) == 1 else { throw OpenSSLError.drain("SSL_CTX_use_certificate") }
        guard SSL_CTX_use_PrivateKey(made.context, key) == 1 else { throw OpenSSLError.drain("SSL_CTX_use_PrivateKey") }
        if let certificatePath {
            guard let bio = BIO_new_file(certificatePath, "w") else { throw OpenSSLError.drain("BIO_new_file(\(certificatePath))") }
            defer { BIO_free(bio) }
            guard PEM_write_bio_X509(bio, certificate) == 1 else { throw OpenSSLError.drain("PEM_write_bio_X509(\(certificatePath))") }
        }
        if let keyPath {
            guard let bio = BIO_new_file(keyPath, "w") else { throw OpenSSLError.drain("BIO_new_file(\(keyPath))") }
            defer { BIO_free(bio) }
            guard PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) == 1 else { throw OpenSSLError.drain("PEM_write_bio_PrivateKey(\(keyPath))") }
        }
        return made
    }

    deinit {
        SSL_CTX_free(context)
    }

    /// The lowest protocol version this context accepts, as OpenSSL's constant (0x0303 = TLS 1.2).
    public var minimumProtocolVersion: Int {
        Int(CFaultlineOpenSSL_SSL_CTX_get_min_proto_version(context))
    }
}

/// One connection's TLS state on a non-blocking socket. Confined to the connection's loop.
final class TLSSession {
    enum Progress {
        case done
        case wantRead
        case wantWrite
        case failed(OpenSSLError)
    }

    private let ssl: OpaquePointer
    private(set) var established = false
    /// The first handshake step has run (the first byte was a TLS record).
    private(set) var started = false

    init(context: TLSContext, fd: Int32) throws {
        ERR_clear_error()
        guard let ssl = SSL_new(context.context) else { throw OpenSSLError.drain("SSL_new") }
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        SSL_set_accept_state(ssl)
    }

    deinit {
        SSL_free(ssl)
    }

    func handshake() -> Progress {
        started = true
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            established = true
            return .done
        }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ:
            ERR_clear_error()
            return .wantRead
        case SSL_ERROR_WANT_WRITE:
            ERR_clear_error()
            return .wantWrite
        default: return .failed(OpenSSLError.drain("SSL_do_handshake"))
        }
    }

    /// Whether OpenSSL holds bytes epoll cannot see: decrypted but not handed out, or records
    /// read ahead from the socket and not yet decrypted (`SSL_pending` counts only the first).
    var hasPending: Bool { SSL_has_pending(ssl) == 1 }

    // Reads and writes do not clear the thread's error queue before the call, as OpenSSL's
    // manual suggests, but after any failure: every OpenSSL call on an event loop leaves the
    // queue empty (handshake, `SSL_new` and shutdown clear or drain it too), so it is empty
    // before the next. Clearing it costs ~840 instructions, twice per request.

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Socket.IOResult {
        let n = SSL_read(ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
        if n > 0 { return .bytes(Int(n)) }
        let error = SSL_get_error(ssl, n)
        ERR_clear_error()
        switch error {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .wouldBlock
        default: return .closed
        }
    }

    func write(_ buffer: UnsafeRawBufferPointer) -> Socket.IOResult {
        let n = SSL_write(ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
        if n > 0 { return .bytes(Int(n)) }
        let error = SSL_get_error(ssl, n)
        ERR_clear_error()
        switch error {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .wouldBlock
        default: return .closed
        }
    }

    /// Sends close_notify (best effort; the socket is closing anyway).
    func shutdown() {
        guard established else { return }
        ERR_clear_error()
        SSL_shutdown(ssl)
        ERR_clear_error()
    }
}
