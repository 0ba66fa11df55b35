/// The seam between transport and logic: a request in, a response out, and notes about it
/// for the access log and the metrics. The scenario engine conforms to it, so it is tested
/// without a socket.
///
/// ```swift
/// struct Hello: HTTPResponder {
///     func respond(to request: HTTPRequest, notes: inout ResponseNotes) -> HTTPResponse {
///         HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"], body: Array("hi".utf8))
///     }
/// }
/// ```
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPRequest, notes: inout ResponseNotes) -> HTTPResponse
}

extension HTTPResponder {
    /// The response alone, for callers with no log to write (tests, embedders).
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        var notes = ResponseNotes()
        return respond(to: request, notes: &notes)
    }
}

/// What a responder says about its answer for the access log and the metrics; never sent.
public struct ResponseNotes: Sendable, Equatable {
    /// A short label (for example the scenario served).
    public var label: String?
    /// The responder's grouping of the answer for metrics (the scenario engine: its vendor and
    /// endpoint, numbered densely from 0); -1 when it has none.
    public var tag: Int32

    public init(label: String? = nil, tag: Int32 = -1) {
        self.label = label
        self.tag = tag
    }
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
