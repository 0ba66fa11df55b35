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

    public init(method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The path part of the target (before `?`); for absolute-form targets, the path after the authority.
    public var path: Substring {
        var rest = Substring(target)
        if rest.hasPrefix("http://") || rest.hasPrefix("https://") {
            rest = rest.drop(while: { $0 != ":" }).dropFirst(3)
            if let slash = rest.firstIndex(of: "/") { rest = rest[slash...] } else { return "/" }
        }
        if let q = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { return rest[..<q] }
        return rest
    }

    /// The raw query (after `?`, before any `#`), or nil when the target has none.
    public var query: Substring? {
        guard let q = target.firstIndex(of: "?") else { return nil }
        let rest = target[target.index(after: q)...]
        if let hash = rest.firstIndex(of: "#") { return rest[..<hash] }
        return rest
    }

    /// Whether the connection stays open after this request (RFC 9112 §9.3).
    public var keepAlive: Bool {
        if headers.containsToken("close", in: "Connection") { return false }
        if version == .http1_0 { return headers.containsToken("keep-alive", in: "Connection") }
        return true
    }
}
