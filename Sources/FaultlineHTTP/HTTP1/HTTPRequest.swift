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
///
/// The head lives in one shared box: the request is handed down the whole responder (into
/// render contexts, journal entries, retry observations), and a copy of its separately counted
/// fields cost ~140 instructions plus their retains, ten times per request (callgrind); a
/// copy of the box is one retain.
public struct HTTPRequest: Sendable {
    /// Immutable, so reading a field checks no exclusivity (a class's `var` costs a
    /// `swift_beginAccess` per read); a change makes a new box. The body and the listener,
    /// which the parser and the connection change in place, live outside it.
    private final class Storage: Sendable {
        let method: String
        let target: String
        let version: HTTPVersion
        let headers: HTTPHeaders
        /// The path and the query as slices of `target`, found once when the target is set:
        /// they are read several times per request.
        let path: Substring
        let query: Substring?
        let queryInitials: UInt64

        init(method: String, target: String, version: HTTPVersion, headers: HTTPHeaders, querySplit: Int = HTTPRequest.unknownSplit,
             queryInitials: UInt64 = QueryString.anyInitial) {
            self.method = method
            self.target = target
            self.version = version
            self.headers = headers
            self.queryInitials = queryInitials
            if querySplit == -1 {
                (path, query) = (Substring(target), nil)
            } else if querySplit >= 0 {
                (path, query) = (target.bytes(0..<querySplit), target.bytes((querySplit + 1)..<target.utf8.count))
            } else {
                (path, query) = HTTPRequest.slices(of: target)
            }
        }
    }

    private var storage: Storage
    public var body: [UInt8]
    /// Which of the server's listening sockets the request came in on: 0 for the main port
    /// (`Configuration.port`, or its HTTPS twin), `i + 1` for `Configuration.extraPorts[i]`.
    public var listener: Int = 0

    public init(method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        storage = Storage(method: method, target: target, version: version, headers: headers)
        self.body = body
    }

    /// `querySplit` as the parser found it: the offset of the `?` in an origin-form target
    /// without a `#`, -1 for such a target with no query, `unknownSplit` to split it here.
    init(method: String, target: String, version: HTTPVersion, headers: HTTPHeaders, querySplit: Int, queryInitials: UInt64) {
        storage = Storage(method: method, target: target, version: version, headers: headers, querySplit: querySplit, queryInitials: queryInitials)
        body = []
    }

    static var unknownSplit: Int { -2 }

    public var method: String {
        get { storage.method }
        set { replaceHead(method: newValue) }
    }

    /// The request-target exactly as sent (RFC 9112 §3.2).
    public var target: String {
        get { storage.target }
        set { replaceHead(target: newValue) }
    }

    public var version: HTTPVersion {
        get { storage.version }
        set { replaceHead(version: newValue) }
    }

    public var headers: HTTPHeaders {
        get { storage.headers }
        set { replaceHead(headers: newValue) }
    }

    /// A new box with one part changed: the box is shared by copies, so it is never changed.
    private mutating func replaceHead(method: String? = nil, target: String? = nil, version: HTTPVersion? = nil, headers: HTTPHeaders? = nil) {
        storage = Storage(method: method ?? self.method, target: target ?? self.target, version: version ?? self.version, headers: headers ?? self.headers,
                          queryInitials: target == nil ? queryInitials : QueryString.anyInitial)
    }

    /// The path part of the target (before `?`); for absolute-form targets, the path after the authority.
    public var path: Substring { storage.path }

    /// The raw query (after `?`, before any `#`), or nil when the target has none.
    public var query: Substring? { storage.query }

    /// `QueryString.initials` of the query as the parser found it; every bit set when
    /// unknown (a request made otherwise), which only means "look".
    package var queryInitials: UInt64 { storage.queryInitials }

    fileprivate static func slices(of target: String) -> (path: Substring, query: Substring?) {
        let (path, query) = parts(of: target)
        return (path.map { target.bytes($0) } ?? "/", query.map { target.bytes($0) })
    }

    private static func parts(of target: String) -> (path: Range<Int>?, query: Range<Int>?) {
        var target = target
        return target.withUTF8 { bytes in
            guard bytes.first == UInt8(ascii: "/") else { return (pathRange(in: bytes), queryRange(in: bytes)) }
            // origin-form (RFC 9112 §3.2.1), nearly every request: one pass finds both.
            var end = 0
            while end < bytes.count, bytes[end] != UInt8(ascii: "?"), bytes[end] != UInt8(ascii: "#") { end += 1 }
            if end == bytes.count { return (0..<end, nil) }
            guard bytes[end] == UInt8(ascii: "?") else { return (0..<end, queryRange(in: bytes)) }
            var queryEnd = end + 1
            while queryEnd < bytes.count, bytes[queryEnd] != UInt8(ascii: "#") { queryEnd += 1 }
            return (0..<end, (end + 1)..<queryEnd)
        }
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
