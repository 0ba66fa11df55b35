/// A response as the responder builds it. The server adds `Date`, `Content-Length` and
/// `Connection`; the responder sets `Content-Type` where there is a body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// A short label for the access log (for example the scenario served); never sent.
    public var logLabel: String?

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = [], logLabel: String? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.logLabel = logLabel
    }

    /// Whether a response with this status may carry a body (RFC 9110 §6.4.1).
    public static func statusAllowsBody(_ status: Int) -> Bool {
        !(status < 200 || status == 204 || status == 304)
    }
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
        default: "Status \(status)"
        }
    }
}
