#if canImport(Glibc)
import Glibc
#endif
import FaultlineHTTP

/// A response as read off the wire.
public struct TestResponse: Sendable {
    public var status: Int
    public var reason: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }

    init(_ response: HTTPClientResponse) {
        status = response.status
        reason = response.reason
        headers = response.headers
        body = response.body
    }
}

/// A deliberately simple blocking HTTP/1.1 client for tests: it sends exactly the bytes it is
/// given, so malformed requests can be written literally, and reads responses strictly. The
/// connection itself is FaultlineHTTP's `HTTPClientConnection`, as the health probe's is.
public final class TestHTTPClient {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public typealias Ending = HTTPClientConnection.Ending

    private let connection: HTTPClientConnection
    public let port: UInt16

    /// Connects to 127.0.0.1:`port`, with send and receive timeouts of `timeout` seconds.
    public init(port: UInt16, timeout: Double = 5) throws {
        self.port = port
        connection = try Self.failing { try HTTPClientConnection(host: "127.0.0.1", port: port, timeout: timeout) }
    }

    public func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    public func send(_ bytes: [UInt8]) throws {
        try Self.failing { try connection.send(bytes) }
    }

    /// Sends a well-formed request (Host and Content-Length added) and reads the response.
    public func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: String? = nil) throws -> TestResponse {
        try send(TestRequest.text(method, target, host: "127.0.0.1:\(port)", headers: headers, body: body))
        return try readResponse(headRequest: method == "HEAD")
    }

    /// Reads one response; the body is framed by Content-Length, or runs to the close.
    public func readResponse(headRequest: Bool = false) throws -> TestResponse {
        TestResponse(try Self.failing { try connection.readResponse(headRequest: headRequest) })
    }

    /// True when the server has closed the connection (EOF) within the timeout; bytes that
    /// were still unread make it false.
    public func isClosedByServer() -> Bool { connection.isClosedByServer() }

    /// Drops the connection with a TCP reset once this client is released (SO_LINGER 0).
    public func reset() { connection.reset() }

    /// Everything until the connection ends, and how it ended.
    public func readUntilEnd() -> (bytes: [UInt8], ending: Ending) { connection.readUntilEnd() }

    /// Everything until the server closes (or the timeout).
    public func readToEnd() -> [UInt8] { connection.readUntilEnd().bytes }

    /// The shared connection's failures, as this client's own error type.
    static func failing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as HTTPClientConnection.Failure {
            throw Failure(description: failure.description)
        }
    }
}

/// A request written out as text: the request line, Host, the given fields, Content-Length
/// when there is a body, the blank line, the body.
enum TestRequest {
    static func text(_ method: String, _ target: String, host: String, headers: [(String, String)], body: String?) -> String {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: \(host)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
        return text + "\r\n" + (body ?? "")
    }
}
