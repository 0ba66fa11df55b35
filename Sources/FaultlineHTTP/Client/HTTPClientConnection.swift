#if canImport(Glibc)
import Glibc
#endif

/// A response as read off the wire.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    public var reason: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, reason: String, headers: HTTPHeaders, body: [UInt8]) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
    }
}

/// One blocking HTTP/1.1 client connection, plain or TLS, with send and receive timeouts: what
/// the health probe and the testing library's clients share. It sends exactly the bytes it is
/// given (malformed requests can be written literally) and reads responses strictly.
public final class HTTPClientConnection {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
        public init(_ description: String) { self.description = description }
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

    public let fd: Int32
    private let tls: TLSClientSession?
    private var buffer: [UInt8] = []

    /// A response body over the limit the reader was given.
    public struct BodyTooLarge: Error, CustomStringConvertible, Sendable {
        public let limit: Int
        public var description: String { "the response body is over \(limit) bytes" }
    }

    /// Connects to `host` (numeric, or a name when `resolving`) and `port`; with `tls`,
    /// completes the handshake too. `timeout` bounds the connect and each send and receive.
    public init(host: String, port: UInt16, timeout: Double, tls: TLSClientOptions? = nil, resolving: Bool = false) throws {
        let fd: Int32
        do {
            fd = try Socket.connect(host: host, port: port, timeout: timeout, numeric: !resolving)
        } catch {
            throw Failure("\(error)")
        }
        do {
            self.tls = try tls.map { try TLSClientSession(fd: fd, options: $0) }
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
    }

    deinit {
        tls?.shutdown()
        close(fd)
    }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { chunk in
                tls.map { $0.write(chunk) } ?? Glibc.send(fd, chunk.baseAddress, chunk.count, Int32(MSG_NOSIGNAL))
            }
            guard n > 0 else { throw Failure(tls == nil ? SocketError.makeFailed("send").description : "SSL_write failed") }
            offset += n
        }
    }

    /// Reads one response (RFC 9112 §6.3): none after HEAD, 1xx, 204 or 304; else framed by
    /// chunked transfer coding, Content-Length, or running to the close. A body over
    /// `bodyLimit` bytes throws `BodyTooLarge`.
    /// `skippingInterim`: read past interim answers (RFC 9110 §15.2: 100, 103) to the final one,
    /// as a proxy does; tests read a `100 Continue` as an answer of its own.
    public func readResponse(headRequest: Bool = false, bodyLimit: Int = .max, skippingInterim: Bool = false) throws -> HTTPClientResponse {
        var (status, reason, headers) = try readHead()
        while skippingInterim, status >= 100 && status < 200 && status != 101 {
            (status, reason, headers) = try readHead()
        }
        var body: [UInt8] = []
        if !(headRequest || status < 200 || status == 204 || status == 304) {
            if headers.containsToken("chunked", in: "Transfer-Encoding") {
                body = try readChunked(limit: bodyLimit)
            } else if let text = headers["Content-Length"] {
                // RFC 9110 §8.6: 1*DIGIT; a sign or anything else is no length, and fields that
                // differ are no length either (RFC 9112 §6.3).
                guard let length = Self.length(text), headers.values("Content-Length").allSatisfy({ $0 == text }) else {
                    throw Failure("bad Content-Length '\(headers.values("Content-Length").joined(separator: ", "))'")
                }
                guard length <= bodyLimit else { throw BodyTooLarge(limit: bodyLimit) }
                body = try readExactly(length)
            } else {
                body = try readUntilEnd(limit: bodyLimit)
            }
        }
        return HTTPClientResponse(status: status, reason: reason, headers: headers, body: body)
    }

    /// RFC 9112 §7.1: `chunk-size [ chunk-ext ] CRLF chunk-data CRLF`, ending with a zero
    /// size and the trailer section (read and dropped).
    private func readChunked(limit: Int) throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine()
            let sizeText = line.prefix { $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
            // `chunk-size = 1*HEXDIG`: no sign, and short enough to fit.
            guard !sizeText.isEmpty, sizeText.count <= 15, sizeText.allSatisfy({ PercentDecoding.hexValue($0) != nil }),
                  let size = Int(String(decoding: sizeText, as: UTF8.self), radix: 16) else {
                throw Failure("bad chunk size line '\(String(decoding: line, as: UTF8.self))'")
            }
            if size == 0 { break }
            guard size <= limit - body.count else { throw BodyTooLarge(limit: limit) }
            body += try readExactly(size)
            guard try readLine().isEmpty else { throw Failure("chunk data not followed by CRLF") }
        }
        while try !readLine().isEmpty {}
        return body
    }

    /// One line without its CRLF (or bare LF).
    private func readLine() throws -> [UInt8] {
        var searched = 0
        while true {
            if let newline = buffer[searched...].firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[..<newline])
                buffer.removeFirst(newline + 1)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return line
            }
            guard buffer.count < 64 * 1024 else { throw Failure("line over 64 KiB") }
            searched = buffer.count
            try fill()
        }
    }

    /// A body that runs to the close: only a clean end of the stream ends it, so a reset or a
    /// timeout is an error rather than a truncated body.
    private func readUntilEnd(limit: Int) throws -> [UInt8] {
        while try fill(endOK: true) {
            guard buffer.count <= limit else { throw BodyTooLarge(limit: limit) }
        }
        guard buffer.count <= limit else { throw BodyTooLarge(limit: limit) }
        let body = buffer
        buffer = []
        return body
    }

    /// `1*DIGIT`, no sign, short enough to fit.
    public static func length(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }

    /// The status line and header fields of the next response.
    public func readHead() throws -> (status: Int, reason: String, headers: HTTPHeaders) {
        var searched = 0
        while true {
            if let end = headEnd(from: searched) {
                let head = Array(buffer[0..<end])
                buffer.removeFirst(end + 4)
                return try Self.parseHead(head)
            }
            guard buffer.count <= Self.maxHead else { throw Failure("response head over \(Self.maxHead) bytes") }
            searched = max(0, buffer.count - 3)
            try fill()
        }
    }

    /// A response's status line and fields together may take this many bytes.
    public static let maxHead = 64 * 1024

    /// When set, reading past it fails: the whole exchange has a bound, not only each read.
    /// (A watchdog shuts the socket down at the deadline, so a read blocked in the kernel, or in
    /// OpenSSL waiting for the rest of a record, ends then too: `Upstream.exchange`.)
    public var deadline: UInt64?

    public func readExactly(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { try fill() }
        let out = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return out
    }

    /// Everything until the connection ends, and how it ended.
    public func readUntilEnd() -> (bytes: [UInt8], ending: Ending) {
        var out = buffer
        buffer = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { receive(into: $0) }
            if n > 0 {
                out.append(contentsOf: chunk[0..<n])
                continue
            }
            if n == 0 { return (out, .closed) }
            return (out, errno == ECONNRESET ? .reset : .timedOut)
        }
    }

    /// True when the server has closed the connection (EOF or reset) within the timeout; bytes
    /// still unread make it false.
    public func isClosedByServer() -> Bool {
        guard buffer.isEmpty else { return false }
        var byte: UInt8 = 0
        let n = withUnsafeMutableBytes(of: &byte) { receive(into: $0) }
        if n == 0 { return true }
        if n < 0 { return errno == ECONNRESET }
        buffer.append(byte)
        return false
    }

    /// Drops the connection with a TCP reset (SO_LINGER 0): the server's next write fails.
    public func reset() {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// The protocol ALPN chose over TLS, e.g. "http/1.1".
    public var negotiatedProtocol: String? { tls?.negotiatedProtocol }

    /// "TLSv1.3" or "TLSv1.2"; nil over plain TCP.
    public var protocolVersion: String? { tls?.protocolVersion }

    /// RFC 9112 §4: `status-line = HTTP-version SP status-code SP [ reason-phrase ]`, then
    /// `field-name ":" OWS field-value` lines.
    public static func parseHead(_ head: [UInt8]) throws -> (status: Int, reason: String, headers: HTTPHeaders) {
        var lines = head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        }
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let status = Int(parts[1]) else {
            throw Failure("bad status line '\(statusLine)'")
        }
        var headers = HTTPHeaders()
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw Failure("bad header line '\(line)'") }
            headers.add(name: String(line[..<colon]), value: String(line[line.index(after: colon)...].drop(while: { $0 == " " })))
        }
        return (status, parts.count > 2 ? String(parts[2]) : "", headers)
    }

    private func receive(into chunk: UnsafeMutableRawBufferPointer) -> Int {
        tls.map { $0.read(into: chunk) } ?? recv(fd, chunk.baseAddress, chunk.count, 0)
    }

    /// Reads more into the buffer. At the end of the stream: false when `endOK`, else an error.
    @discardableResult
    private func fill(endOK: Bool = false) throws -> Bool {
        if let deadline, EventLoop.now() >= deadline { throw Failure("no complete answer in time") }
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let n = chunk.withUnsafeMutableBytes { receive(into: $0) }
        // Past the deadline, an end is the watchdog's shutdown, not the peer's: no clean end.
        if n <= 0, let deadline, EventLoop.now() >= deadline { throw Failure("no complete answer in time") }
        if n == 0 {
            if endOK { return false }
            throw Failure("connection closed by server")
        }
        if n < 0 { throw Failure(tls == nil ? SocketError.makeFailed("recv").description : "SSL_read failed") }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    private func headEnd(from start: Int = 0) -> Int? {
        guard buffer.count >= 4, start <= buffer.count - 4 else { return nil }
        for i in start...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }
}
