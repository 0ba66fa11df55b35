import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A real API requests are forwarded to (`serve --proxy-unmatched`, `faultline record`): an
/// `http` or `https` origin with an optional base path, and how to reach it.
public struct Upstream: Sendable, CustomStringConvertible {
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public let secure: Bool
    /// A name (resolved at each connect) or an address; IPv6 without its brackets.
    public let host: String
    public let port: UInt16
    /// The URL's path without a trailing '/', put before every forwarded target.
    public let basePath: String
    /// A PEM file of the CA that signed the upstream's certificate; nil: the system's store.
    public var caFile: String?
    /// Bounds the whole exchange (the connect, and then sending and reading the answer), so an
    /// unreachable, silent or trickling upstream answers 502 in time instead of holding the client.
    public var timeout: Double = 10
    /// A larger upstream body is refused (502) rather than held in memory.
    public var bodyLimit = Self.defaultBodyLimit
    public static let defaultBodyLimit = 16 * 1024 * 1024

    public init(url: String) throws(Invalid) {
        let secure: Bool
        var rest: Substring
        if url.hasPrefix("https://") {
            secure = true
            rest = url.dropFirst(8)
        } else if url.hasPrefix("http://") {
            secure = false
            rest = url.dropFirst(7)
        } else {
            throw Invalid(description: "'\(url)' is not an http:// or https:// URL")
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        rest = rest.dropFirst(authority.count)
        guard !rest.contains("?"), !rest.contains("#") else {
            throw Invalid(description: "'\(url)': an upstream URL takes no query or fragment")
        }
        var host = authority
        var port: UInt16 = secure ? 443 : 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw Invalid(description: "'\(url)': unclosed '[' in the host") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let number = UInt16(after.dropFirst()), number > 0 else { throw Invalid(description: "'\(url)': bad port") }
                port = number
            }
        } else if let colon = authority.lastIndex(of: ":") {
            guard let number = UInt16(authority[authority.index(after: colon)...]), number > 0 else { throw Invalid(description: "'\(url)': bad port") }
            host = authority[..<colon]
            port = number
        }
        guard !host.isEmpty, !host.contains("@") else { throw Invalid(description: "'\(url)': no host (or user info, which is not taken)") }
        self.secure = secure
        self.host = String(host)
        self.port = port
        self.basePath = String(rest.hasSuffix("/") ? rest.dropLast() : rest)
    }

    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let defaultPort: UInt16 = secure ? 443 : 80
        return (secure ? "https://" : "http://") + shownHost + (port == defaultPort ? "" : ":\(port)") + basePath
    }

    /// The `Host` field for the upstream (RFC 9110 §7.2): its authority, the port when not the default.
    var authority: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return port == (secure ? 443 : 80) ? shownHost : "\(shownHost):\(port)"
    }

    /// Fields a proxy does not pass on (RFC 9110 §7.6.1: connection-specific ones and those
    /// `Connection` names), plus the framing and `Host` it writes itself. A request's
    /// `Content-Encoding` goes too: the server decoded the body before the responder saw it.
    static let requestFieldsDropped: Set<String> = [
        "connection", "proxy-connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade",
        "host", "content-length", "content-encoding", "expect",
    ]
    /// An answer's framing, `Date` and connection fields are the server's to write.
    public static let responseFieldsDropped: Set<String> = [
        "connection", "proxy-connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade",
        "content-length", "date",
    ]

    /// An answer's fields as a proxy passes them on: less `responseFieldsDropped` and the fields
    /// its `Connection` names (RFC 9110 §7.6.1).
    /// An answer to HEAD keeps its `Content-Length`: the server writes it in place of a body's
    /// length it does not have (RFC 9110 §9.3.2).
    public static func forwardedFields(of answer: HTTPHeaders, head: Bool = false) -> HTTPHeaders {
        let named = Set(answer.values("Connection").flatMap { $0.split(separator: ",") }.map { Substring($0).trimmingWhitespace().lowercased() })
        var fields = HTTPHeaders()
        for (name, value) in answer {
            let lowered = name.lowercased()
            if head, lowered == "content-length" {
                fields.add(name: name, value: value)
                continue
            }
            if responseFieldsDropped.contains(lowered) || named.contains(lowered) { continue }
            fields.add(name: name, value: value)
        }
        return fields
    }

    /// Sends one request (`target` is appended to `basePath`) on a new connection and reads the
    /// whole answer. Blocking: call it from a worker thread, never from an event loop.
    public func exchange(method: String, target: String, headers: HTTPHeaders, body: [UInt8]) throws -> HTTPClientResponse {
        var head = "\(method) \(basePath)\(target) HTTP/1.1\r\nHost: \(authority)\r\n"
        let named = Set(headers.values("Connection").flatMap { $0.split(separator: ",") }.map { Substring($0).trimmingWhitespace().lowercased() })
        for (name, value) in headers {
            let lowered = name.lowercased()
            if Self.requestFieldsDropped.contains(lowered) || named.contains(lowered) { continue }
            head += "\(name): \(value)\r\n"
        }
        if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) { head += "Content-Length: \(body.count)\r\n" }
        head += "Connection: close\r\n\r\n"
        var tls: TLSClientOptions?
        if secure {
            tls = TLSClientOptions(trusting: caFile, serverName: host)
            tls?.verifying = true
        }
        let started = EventLoop.now()
        let connection = try HTTPClientConnection(host: host, port: port, timeout: timeout, tls: tls, resolving: true)
        connection.deadline = started &+ Seconds.nanoseconds(timeout)
        let left = timeout - Double(EventLoop.now() &- started) / 1e9
        let watchdog = Watchdog(fd: connection.fd, after: max(0, left))
        return try withExtendedLifetime(connection) {
            // Disarmed while the connection (and so its descriptor number) is still ours.
            defer { watchdog.disarm() }
            try connection.send(Array(head.utf8) + body)
            return try connection.readResponse(headRequest: method == "HEAD", bodyLimit: bodyLimit, skippingInterim: true)
        }
    }
}

/// Shuts a socket down at a deadline unless disarmed first: a read blocked in the kernel, or in
/// OpenSSL collecting a record a byte at a time, then ends at once (each read's own timeout
/// would let a trickling peer go on for ever).
final class Watchdog: Sendable {
    private let armed: Mutex<Int32?>

    init(fd: Int32, after seconds: Double) {
        armed = Mutex(fd)
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
            armed.withLock { fd in
                if let fd { shutdown(fd, Int32(SHUT_RDWR)) }
            }
        }
    }

    func disarm() {
        armed.withLock { $0 = nil }
    }
}
