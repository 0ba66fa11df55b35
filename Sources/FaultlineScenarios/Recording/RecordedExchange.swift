import FaultlineHTTP

/// One request and the upstream's answer, as `faultline record` saw them.
public struct RecordedExchange: Sendable {
    public var method: String
    /// The request-target the client sent (path and query).
    public var target: String
    public var requestHeaders: HTTPHeaders
    public var requestBody: [UInt8]
    public var status: Int
    public var responseHeaders: HTTPHeaders
    /// With its `Content-Encoding` undone (the header is dropped then): a file holds the
    /// answer's text, and the server compresses again for clients that ask.
    public var responseBody: [UInt8]

    public init(method: String, target: String, requestHeaders: HTTPHeaders = HTTPHeaders(), requestBody: [UInt8] = [], status: Int, responseHeaders: HTTPHeaders = HTTPHeaders(), responseBody: [UInt8] = []) {
        self.method = method
        self.target = target
        self.requestHeaders = requestHeaders
        self.requestBody = requestBody
        self.status = status
        self.responseHeaders = responseHeaders
        self.responseBody = responseBody
    }

    var path: Substring { target.prefix { $0 != "?" } }
}
