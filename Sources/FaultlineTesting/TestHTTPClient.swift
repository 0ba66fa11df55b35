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

    /// Status, reason and header fields of a response head (without its blank line).
    static func parseHead(_ head: String) throws -> (status: Int, reason: String, headers: HTTPHeaders) {
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw TestHTTPClient.Failure(description: "bad status line '\(statusLine)'")
        }
        var headers = HTTPHeaders()
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw TestHTTPClient.Failure(description: "bad header line '\(line)'") }
            headers.add(name: String(line[..<colon]), value: String(line[line.index(after: colon)...].drop(while: { $0 == " " })))
        }
        return (status, parts.count > 2 ? String(parts[2]) : "", headers)
    }
}

/// A blocking TCP socket connected to 127.0.0.1:`port`, with send and receive timeouts.
func connectLoopback(port: UInt16, timeout: Double) throws -> Int32 {
    do {
        return try Socket.connect(host: "127.0.0.1", port: port, timeout: timeout)
    } catch {
        throw TestHTTPClient.Failure(description: "\(error)")
    }
}

/// A deliberately simple blocking HTTP/1.1 client for tests: it sends exactly the bytes it is
/// given, so malformed requests can be written literally, and reads responses strictly.
public final class TestHTTPClient {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    public let port: UInt16

    public init(port: UInt16, timeout: Double = 5) throws {
        self.port = port
        fd = try connectLoopback(port: port, timeout: timeout)
    }

    deinit {
        close(fd)
    }

    public func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send failed: errno \(errno)") }
            offset += n
        }
    }

    /// Sends a well-formed request (Host and Content-Length added) and reads the response.
    public func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: String? = nil) throws -> TestResponse {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n"
        if let body { text += body }
        try send(text)
        return try readResponse(headRequest: method == "HEAD")
    }

    /// Reads one response; the body is framed by Content-Length, or runs to the close.
    public func readResponse(headRequest: Bool = false) throws -> TestResponse {
        let (status, reason, headers) = try TestResponse.parseHead(try readHead())
        var body: [UInt8] = []
        let noBody = headRequest || status < 200 || status == 204 || status == 304
        if !noBody {
            if let length = headers["Content-Length"].flatMap({ Int($0) }) {
                body = try readExactly(length)
            } else {
                body = readToEnd()
            }
        }
        return TestResponse(status: status, reason: reason, headers: headers, body: body)
    }

    /// True when the server has closed the connection (EOF) within the timeout; bytes that
    /// were still unread make it false.
    public func isClosedByServer() -> Bool {
        guard buffer.isEmpty else { return false }
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, 0)
        if n == 0 { return true }
        if n < 0 { return errno == ECONNRESET }
        buffer.append(byte)
        return false
    }

    /// How a connection ended, for tests of deliberate network faults.
    public enum Ending: Sendable, Equatable {
        /// An orderly close (FIN).
        case closed
        /// A TCP reset (ECONNRESET).
        case reset
        /// Nothing more within the timeout; the connection is still open.
        case timedOut
    }

    /// Everything until the connection ends, and how it ended.
    public func readUntilEnd() -> (bytes: [UInt8], ending: Ending) {
        var out = buffer
        buffer = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                out.append(contentsOf: chunk[0..<n])
                continue
            }
            if n == 0 { return (out, .closed) }
            return (out, errno == ECONNRESET ? .reset : .timedOut)
        }
    }

    /// Everything until the server closes (or the timeout).
    public func readToEnd() -> [UInt8] {
        var out = buffer
        buffer = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { throw Failure(description: "connection closed by server") }
        if n < 0 { throw Failure(description: "recv failed: errno \(errno)") }
        buffer.append(contentsOf: chunk[0..<n])
    }

    private func readHead() throws -> String {
        while true {
            if let end = findHeadEnd() {
                let head = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end + 4)
                return head
            }
            try fill()
        }
    }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { try fill() }
        let out = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return out
    }
}
