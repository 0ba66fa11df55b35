/// The protocol version of a request line; only 1.0 and 1.1 are served (others get 505).
public struct HTTPVersion: Sendable, Equatable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    public var description: String { "HTTP/\(major).\(minor)" }
}

/// One parsed request: the head as it arrived and the whole (de-chunked) body.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request-target exactly as sent (RFC 9112 §3.2).
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Which of the server's listening sockets the request came in on: 0 for the main port
    /// (`Configuration.port`, or its HTTPS twin), `i + 1` for `Configuration.extraPorts[i]`.
    public var listener: Int = 0

    public init(method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The path part of the target (before `?`); for absolute-form targets, the path after the authority.
    public var path: Substring {
        let utf8 = target.utf8
        var start = utf8.startIndex
        if utf8.first != UInt8(ascii: "/") {
            // absolute-form (RFC 9112 §3.2.2): skip "scheme://authority".
            guard let colon = utf8.firstIndex(of: UInt8(ascii: ":")) else { return "/" }
            let authority = utf8.index(colon, offsetBy: 3, limitedBy: utf8.endIndex) ?? utf8.endIndex
            guard let slash = utf8[authority...].firstIndex(of: UInt8(ascii: "/")) else { return "/" }
            start = slash
        }
        var end = start
        while end != utf8.endIndex, utf8[end] != UInt8(ascii: "?"), utf8[end] != UInt8(ascii: "#") { end = utf8.index(after: end) }
        return target[start..<end]
    }

    /// The raw query (after `?`, before any `#`), or nil when the target has none.
    public var query: Substring? {
        let utf8 = target.utf8
        guard let mark = utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        let start = utf8.index(after: mark)
        let end = utf8[start...].firstIndex(of: UInt8(ascii: "#")) ?? utf8.endIndex
        return target[start..<end]
    }

    /// Whether the connection stays open after this request (RFC 9112 §9.3).
    public var keepAlive: Bool {
        if headers.containsToken("close", in: "Connection") { return false }
        if version == .http1_0 { return headers.containsToken("keep-alive", in: "Connection") }
        return true
    }
}
