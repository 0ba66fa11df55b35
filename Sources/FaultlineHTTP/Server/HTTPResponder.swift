/// The seam between transport and logic: a request in, a response out.
/// The scenario engine conforms to it, so it is tested without a socket.
///
/// ```swift
/// struct Hello: HTTPResponder {
///     func respond(to request: HTTPRequest) -> HTTPResponse {
///         HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"], body: Array("hi".utf8))
///     }
/// }
/// ```
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPRequest) -> HTTPResponse
}

/// One line of the access log, handed to the configured handler after each response.
public struct AccessLogRecord: Sendable {
    public var method: String
    public var target: String
    public var status: Int
    public var label: String?
    /// From the request's last byte to the response being queued, in nanoseconds.
    public var durationNanoseconds: UInt64
}
