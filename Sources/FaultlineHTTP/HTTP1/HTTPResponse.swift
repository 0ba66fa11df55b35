/// A response as the responder builds it. The server adds `Date`, `Content-Length` and
/// `Connection`; the responder sets `Content-Type` where there is a body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// How the response leaves: late, slowly, or broken on purpose. Nil: at once, whole.
    public var delivery: ResponseDelivery? {
        get { deliveryBox?.value }
        set { deliveryBox = newValue.map(DeliveryBox.init) }
    }
    /// Boxed so that the common response (no delivery) stays small to copy.
    private var deliveryBox: DeliveryBox?

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], delivery: ResponseDelivery? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        deliveryBox = delivery.map(DeliveryBox.init)
    }

    /// Whether a response with this status may carry a body (RFC 9110 §6.4.1).
    public static func statusAllowsBody(_ status: Int) -> Bool {
        !(status < 200 || status == 204 || status == 304)
    }
}

private final class DeliveryBox: Sendable {
    let value: ResponseDelivery
    init(_ value: ResponseDelivery) { self.value = value }
}

/// Network behaviour a test asks for, carried out by the connection.
public struct ResponseDelivery: Sendable, Equatable {
    /// Seconds to wait before the first byte.
    public var delay: Double = 0
    /// Send the body `bytes` at a time, `interval` seconds apart (a slow body).
    public var dribble: (bytes: Int, interval: Double)?
    /// Break the response instead of sending it whole.
    public var fault: ResponseFault?
    /// The answer comes later from another thread (`PendingAnswer`); the rest of this delivery
    /// is ignored.
    public var pending: PendingAnswer?

    public init(delay: Double = 0, dribble: (bytes: Int, interval: Double)? = nil, fault: ResponseFault? = nil, pending: PendingAnswer? = nil) {
        self.delay = delay
        self.dribble = dribble
        self.fault = fault
        self.pending = pending
    }

    public static func == (a: ResponseDelivery, b: ResponseDelivery) -> Bool {
        a.delay == b.delay && a.fault == b.fault && a.dribble?.bytes == b.dribble?.bytes && a.dribble?.interval == b.dribble?.interval
            && a.pending === b.pending
    }
}

/// Ways a response can break, as networks and gateways break them.
public enum ResponseFault: String, Sendable, CaseIterable {
    /// A TCP reset instead of an answer (SO_LINGER 0, then close).
    case reset
    /// The connection closes without a byte of response.
    case close
    /// Head and half the body, `Content-Length` promising all of it, then a close.
    case closeMidBody = "close_mid_body"
    /// `Transfer-Encoding: chunked` with a chunk-size line that is not hex, then a close.
    case malformedChunked = "malformed_chunked"
    /// Random bytes that are no HTTP at all, then a close.
    case garbage
    /// No answer at all: the connection is held until the client gives up (or the server's limit).
    case hang
}

/// Reason phrases for the status line. The phrase carries no meaning (RFC 9112 §4) but
/// clients show it, so the registered ones are used.
public enum HTTPStatusReason {
    public static func phrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 206: "Partial Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 402: "Payment Required"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 411: "Length Required"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 422: "Unprocessable Content"
        case 423: "Locked"
        case 424: "Failed Dependency"
        case 425: "Too Early"
        case 426: "Upgrade Required"
        case 428: "Precondition Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        case 507: "Insufficient Storage"
        default: "Status \(status)"
        }
    }
}
