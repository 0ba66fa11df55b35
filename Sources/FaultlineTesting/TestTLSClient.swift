import FaultlineHTTP
#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTPS client for tests, over FaultlineHTTP's `HTTPClientConnection` (the same
/// OpenSSL module as the server): it verifies the server's certificate against `trusting` (a
/// PEM file) for `serverName`, offers ALPN `http/1.1`, and reads whole responses.
public final class TestTLSClient {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let connection: HTTPClientConnection

    /// Connects and completes the handshake, or throws with OpenSSL's reasons.
    public init(port: UInt16, trusting caFile: String?, serverName: String = "localhost", timeout: Double = 5) throws {
        do {
            connection = try HTTPClientConnection(host: "127.0.0.1", port: port, timeout: timeout, tls: TLSClientOptions(trusting: caFile, serverName: serverName))
        } catch let failure as HTTPClientConnection.Failure {
            throw Failure(description: failure.description)
        }
    }

    /// Sends a request and drops the connection with a reset before the answer comes back:
    /// the server's next write fails (EPIPE/ECONNRESET) and must not take it down.
    public func sendAndReset(_ method: String, _ target: String, headers: [(String, String)] = []) {
        try? connection.send(Array(TestRequest.text(method, target, host: "localhost", headers: headers, body: nil).utf8))
        connection.reset()
    }

    /// Sends each request in its own TLS record, all before reading, then reads the answers in
    /// order: the server gets several records in one read and must answer every one.
    public func pipelined(_ requests: [(method: String, target: String, headers: [(String, String)])]) throws -> [TestResponse] {
        do {
            for request in requests {
                try connection.send(Array(TestRequest.text(request.method, request.target, host: "localhost", headers: request.headers, body: nil).utf8))
            }
            return try requests.map { TestResponse(try connection.readResponse(headRequest: $0.method == "HEAD")) }
        } catch let failure as HTTPClientConnection.Failure {
            throw Failure(description: failure.description)
        }
    }

    /// Writes a TLS application-data record of random bytes straight to the socket: the
    /// server's decryption fails (bad record MAC) and OpenSSL queues the reasons.
    public func sendCorruptRecord() {
        var record: [UInt8] = [0x17, 0x03, 0x03, 0x00, 0x40]
        var generator = SystemRandomNumberGenerator()
        record += (0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) }
        _ = record.withUnsafeBytes { write(connection.fd, $0.baseAddress, $0.count) }
    }

    /// The protocol ALPN chose, e.g. "http/1.1".
    public var negotiatedProtocol: String? { connection.negotiatedProtocol }

    /// "TLSv1.3" or "TLSv1.2".
    public var protocolVersion: String { connection.protocolVersion ?? "" }

    /// Sends the request's head in two TLS records with a pause between, so the server reads
    /// the first, finds the request incomplete and waits (its read says "want read"), then
    /// reads the answer.
    public func requestInTwoRecords(_ method: String, _ target: String, headers: [(String, String)] = [], pauseMicroseconds: UInt32 = 50_000) throws -> TestResponse {
        let bytes = Array(TestRequest.text(method, target, host: "localhost", headers: headers, body: nil).utf8)
        do {
            try connection.send(Array(bytes[..<(bytes.count / 2)]))
            usleep(pauseMicroseconds)
            try connection.send(Array(bytes[(bytes.count / 2)...]))
            return TestResponse(try connection.readResponse(headRequest: method == "HEAD"))
        } catch let failure as HTTPClientConnection.Failure {
            throw Failure(description: failure.description)
        }
    }

    public func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: String? = nil) throws -> TestResponse {
        do {
            try connection.send(Array(TestRequest.text(method, target, host: "localhost", headers: headers, body: body).utf8))
            return TestResponse(try connection.readResponse(headRequest: method == "HEAD"))
        } catch let failure as HTTPClientConnection.Failure {
            throw Failure(description: failure.description)
        }
    }
}
