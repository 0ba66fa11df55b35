internal import CFaultlineOpenSSL

/// Errors from OpenSSL, with the library's error queue drained into the message.
public struct OpenSSLError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let queue: [String]

    static func drain(_ call: String) -> OpenSSLError {
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

/// A server-side TLS context limited to TLS 1.2 and 1.3. Owns its `SSL_CTX` and frees it in
/// `deinit`. Certificates and the handshake arrive with the transport work.
public final class TLSContext: @unchecked Sendable {
    private let context: OpaquePointer

    /// The linked OpenSSL's version text, e.g. "OpenSSL 3.0.19 27 Jan 2026".
    public static var libraryVersion: String { String(cString: OpenSSL_version(Int32(OPENSSL_VERSION))) }

    public init() throws {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw OpenSSLError.drain("SSL_CTX_new") }
        self.context = context
        guard CFaultlineOpenSSL_SSL_CTX_set_min_proto_version(context, CFaultlineOpenSSL_TLS1_2_VERSION()) == 1 else {
            throw OpenSSLError.drain("SSL_CTX_set_min_proto_version")
        }
    }

    deinit {
        SSL_CTX_free(context)
    }

    /// The lowest protocol version this context accepts, as OpenSSL's constant (0x0303 = TLS 1.2).
    public var minimumProtocolVersion: Int {
        Int(CFaultlineOpenSSL_SSL_CTX_get_min_proto_version(context))
    }
}
