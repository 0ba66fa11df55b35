/// Every limit the request parser enforces, with its default. A request over a limit is
/// answered with the status named here and the connection is closed.
public struct HTTPParserLimits: Sendable, Equatable {
    /// Longest request line (method, target, version), in bytes. Over it: 414.
    /// RFC 9112 §3 recommends supporting at least 8,000 octets.
    public var maxRequestLineLength: Int = 8_192
    /// Largest header section (all field lines, after the request line), in bytes. Over it: 431.
    public var maxHeaderBlockSize: Int = 16_384
    /// Most header fields in one request. Over it: 431.
    public var maxHeaderCount: Int = 100
    /// Largest request body (after de-chunking), in bytes. Over it: 413.
    public var maxBodySize: Int = 1_048_576
    /// Longest chunk-size line, extensions included (RFC 9112 §7.1.1). Over it: 400.
    public var maxChunkLineLength: Int = 1_024

    public init() {}

    public init(maxRequestLineLength: Int = 8_192, maxHeaderBlockSize: Int = 16_384, maxHeaderCount: Int = 100, maxBodySize: Int = 1_048_576) {
        self.maxRequestLineLength = maxRequestLineLength
        self.maxHeaderBlockSize = maxHeaderBlockSize
        self.maxHeaderCount = maxHeaderCount
        self.maxBodySize = maxBodySize
    }
}

/// Why a request could not be parsed, and the status it is answered with before the close.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: Int
    public let reason: String

    public init(status: Int, reason: String) {
        self.status = status
        self.reason = reason
    }

    static func badRequest(_ reason: String) -> HTTPParseError { .init(status: 400, reason: reason) }

    public var description: String { "\(status): \(reason)" }
}
