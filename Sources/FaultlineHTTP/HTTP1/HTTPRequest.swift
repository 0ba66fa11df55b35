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
    public var target: String {
        didSet { parts = Self.parts(of: target) }
    }
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Which of the server's listening sockets the request came in on: 0 for the main port
    /// (`Configuration.port`, or its HTTPS twin), `i + 1` for `Configuration.extraPorts[i]`.
    public var listener: Int = 0
    /// Where the path and the query lie in `target`, as byte offsets: found once when the
    /// target is set, as the path and the query are read several times per request.
    private var parts: (path: Range<Int>?, query: Range<Int>?)

    public init(method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.parts = Self.parts(of: target)
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The path part of the target (before `?`); for absolute-form targets, the path after the authority.
    public var path: Substring {
        guard let range = parts.path else { return "/" }
        return target.bytes(range)
    }

    /// The raw query (after `?`, before any `#`), or nil when the target has none.
    public var query: Substring? {
        parts.query.map { target.bytes($0) }
    }

    private static func parts(of target: String) -> (path: Range<Int>?, query: Range<Int>?) {
        let scan = { (bytes: UnsafeBufferPointer<UInt8>) in (pathRange(in: bytes), queryRange(in: bytes)) }
        return target.utf8.withContiguousStorageIfAvailable(scan) ?? Array(target.utf8).withUnsafeBufferPointer(scan)
    }

    /// The path's bytes; nil when an absolute-form target has no path after its authority.
    private static func pathRange(in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        var start = 0
        if bytes.first != UInt8(ascii: "/") {
            // absolute-form (RFC 9112 §3.2.2): skip "scheme://authority".
            guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
                  let slash = bytes[min(colon + 3, bytes.count)...].firstIndex(of: UInt8(ascii: "/")) else { return nil }
            start = slash
        }
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "?"), bytes[end] != UInt8(ascii: "#") { end += 1 }
        return start..<end
    }

    private static func queryRange(in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        guard let mark = bytes.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        return (mark + 1)..<(bytes[(mark + 1)...].firstIndex(of: UInt8(ascii: "#")) ?? bytes.count)
    }

    /// Whether the connection stays open after this request (RFC 9112 §9.3).
    public var keepAlive: Bool {
        if headers.containsToken("close", in: "Connection") { return false }
        if version == .http1_0 { return headers.containsToken("keep-alive", in: "Connection") }
        return true
    }
}

extension String {
    /// The text at byte offsets `range`, as a slice: for positions found by scanning bytes.
    /// Made from the UTF-8 view of the `String` itself, which costs about a third of slicing
    /// through a `Substring` (callgrind: ~70 against ~240 instructions).
    package func bytes(_ range: Range<Int>) -> Substring {
        let utf8 = self.utf8
        return Substring(utf8[utf8.index(utf8.startIndex, offsetBy: range.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: range.upperBound)])
    }
}

extension Substring {
    /// The text at byte offsets `range` (counted from this slice's start), as a slice of it:
    /// for positions found by scanning bytes. Offsets of native UTF-8 text cost nothing to turn
    /// into indices.
    package func bytes(_ range: Range<Int>) -> Substring {
        let utf8 = self.utf8
        return self[utf8.index(utf8.startIndex, offsetBy: range.lowerBound)..<utf8.index(utf8.startIndex, offsetBy: range.upperBound)]
    }
}
