#if canImport(Glibc)
import Glibc
#endif

/// An incremental HTTP/1.1 request parser (RFC 9112). Feed it whatever bytes have arrived;
/// it consumes what it can and says what happened. It never reads past one request, so
/// pipelined requests are taken one at a time, in order.
public struct HTTPRequestParser: Sendable {
    public enum Event: Sendable {
        /// Nothing complete yet; keep the unconsumed bytes and call again when more arrive.
        case needMore
        /// The head asked for `Expect: 100-continue` and its body has not arrived yet.
        case continueExpected
        case request(HTTPRequest)
        /// The request cannot be served; answer with `error.status` and close.
        case error(HTTPParseError)
    }

    public let limits: HTTPParserLimits
    private var state: State = .head
    /// How many bytes of an incomplete head were already searched for its end, so a head that
    /// trickles in is scanned once overall rather than once per read.
    private var headScanned = 0

    private enum State: Sendable {
        case head
        case fixedBody(HTTPRequest, remaining: Int)
        case chunked(HTTPRequest, ChunkState)
        case failed(HTTPParseError)
    }

    private enum ChunkState: Sendable {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailers(bytesSeen: Int)
    }

    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    /// True while no part of a request is buffered inside the parser (between requests).
    public var isIdle: Bool {
        if case .head = state { return true }
        return false
    }

    /// Parses from the start of `bytes`. `consumed` bytes may be dropped by the caller
    /// whatever the event; the rest must be passed again, followed by newer bytes.
    public mutating func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (event: Event, consumed: Int) {
        switch state {
        case .failed(let error):
            return (.error(error), 0)
        case .head:
            return parseHead(bytes)
        case .fixedBody(var request, let remaining):
            state = .head
            let take = min(remaining, bytes.count)
            request.body.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[0..<take]))
            if take == remaining { return (.request(request), take) }
            state = .fixedBody(request, remaining: remaining - take)
            return (.needMore, take)
        case .chunked(var request, let chunkState):
            state = .head
            // The body is appended in place: `request` is its only owner once `state` let go.
            return parseChunked(bytes, from: 0, request: &request, chunkState: chunkState)
        }
    }

    private mutating func fail(_ error: HTTPParseError) -> (event: Event, consumed: Int) {
        state = .failed(error)
        return (.error(error), 0)
    }

    // MARK: Head

    private mutating func parseHead(_ b: UnsafeBufferPointer<UInt8>) -> (event: Event, consumed: Int) {
        let n = b.count
        var start = 0
        // RFC 9112 §2.2: a server SHOULD ignore at least one empty line received before the request-line.
        while start < n, b[start] == .cr || b[start] == .lf { start += 1 }
        if start == n { return (.needMore, start) }

        // Parse nothing until the empty line that ends the head (RFC 9112 §2.1) has arrived.
        if !Self.containsHeadEnd(b, from: max(start, start + headScanned - 3)) {
            let lineEnd = b.firstIndex(of: .lf, from: start, limit: start + limits.maxRequestLineLength + 2)
            if lineEnd == nil && n - start > limits.maxRequestLineLength + 1 {
                return fail(HTTPParseError(status: 414, reason: "request line longer than \(limits.maxRequestLineLength) bytes"))
            }
            if let lineEnd, n - (lineEnd + 1) > limits.maxHeaderBlockSize {
                return fail(HTTPParseError(status: 431, reason: "header section larger than \(limits.maxHeaderBlockSize) bytes"))
            }
            headScanned = n - start
            return (.needMore, start)
        }
        headScanned = 0

        // Request line (RFC 9112 §3).
        guard let lineEnd = b.firstIndex(of: .lf, from: start, limit: start + limits.maxRequestLineLength + 2) else {
            if n - start > limits.maxRequestLineLength + 1 {
                return fail(HTTPParseError(status: 414, reason: "request line longer than \(limits.maxRequestLineLength) bytes"))
            }
            return (.needMore, start)
        }
        let lineContentEnd = lineEnd > start && b[lineEnd - 1] == .cr ? lineEnd - 1 : lineEnd
        if lineContentEnd - start > limits.maxRequestLineLength {
            return fail(HTTPParseError(status: 414, reason: "request line longer than \(limits.maxRequestLineLength) bytes"))
        }
        let requestLine: RequestLine
        do { requestLine = try Self.parseRequestLine(b, start, lineContentEnd) } catch { return fail(error) }

        // Field lines (RFC 9112 §5) up to the empty line that ends the head.
        var headers = HTTPHeaders()
        headers.reserveCapacity(12)
        var framingFields = FramingFields()
        var position = lineEnd + 1
        let blockStart = position
        while true {
            guard let fieldEnd = b.firstIndex(of: .lf, from: position, limit: blockStart + limits.maxHeaderBlockSize + 2) else {
                if n - blockStart > limits.maxHeaderBlockSize {
                    return fail(HTTPParseError(status: 431, reason: "header section larger than \(limits.maxHeaderBlockSize) bytes"))
                }
                return (.needMore, start)
            }
            let contentEnd = fieldEnd > position && b[fieldEnd - 1] == .cr ? fieldEnd - 1 : fieldEnd
            if contentEnd == position {
                position = fieldEnd + 1
                break
            }
            if fieldEnd + 1 - blockStart > limits.maxHeaderBlockSize {
                return fail(HTTPParseError(status: 431, reason: "header section larger than \(limits.maxHeaderBlockSize) bytes"))
            }
            if headers.count == limits.maxHeaderCount {
                return fail(HTTPParseError(status: 431, reason: "more than \(limits.maxHeaderCount) header fields"))
            }
            do {
                let field = try Self.parseFieldLine(b, position, contentEnd, &framingFields)
                headers.add(name: field.name, value: field.value)
            } catch {
                return fail(error)
            }
            position = fieldEnd + 1
        }

        var request = HTTPRequest(method: requestLine.method, target: requestLine.target, version: requestLine.version, headers: headers, querySplit: requestLine.querySplit, queryInitials: requestLine.initials)
        let framing: Framing
        switch Self.framing(of: request, framingFields, limits: limits) {
        case .success(let f): framing = f
        case .failure(let error): return fail(error)
        }

        switch framing {
        case .none:
            return (.request(request), position)
        case .length(let length, let expectContinue):
            let available = n - position
            if available >= length {
                request.body = Array(UnsafeBufferPointer(rebasing: b[position..<(position + length)]))
                return (.request(request), position + length)
            }
            // Reserved for what the head promises, up to 256 KiB: a client that sends heads and
            // no bodies must not make each of its connections hold the whole limit.
            request.body.reserveCapacity(min(length, 256 * 1024))
            request.body.append(contentsOf: UnsafeBufferPointer(rebasing: b[position..<n]))
            state = .fixedBody(request, remaining: length - available)
            return (available == 0 && expectContinue ? .continueExpected : .needMore, n)
        case .chunked(let expectContinue):
            if position == n && expectContinue {
                state = .chunked(request, .size)
                return (.continueExpected, n)
            }
            return parseChunked(b, from: position, request: &request, chunkState: .size)
        }
    }

    private enum Framing {
        case none
        case length(Int, expectContinue: Bool)
        case chunked(expectContinue: Bool)
    }

    /// Decides how the body is delimited (RFC 9112 §6.1–6.3) and rejects ambiguous framing,
    /// the root of request smuggling.
    private static func framing(of request: HTTPRequest, _ fields: FramingFields, limits: HTTPParserLimits) -> Result<Framing, HTTPParseError> {
        let headers = request.headers
        if let error = hostError(request, fields) { return .failure(error) }

        var expectContinue = false
        if fields.expect, let expect = headers["Expect"] {
            // RFC 9110 §10.1.1: 100-continue is the only expectation; a 1.0 request's one is ignored.
            guard HTTPHeaders.equalsIgnoringCase(expect.trimmingWhitespace().utf8, "100-continue".utf8) else {
                return .failure(HTTPParseError(status: 417, reason: "unsupported expectation '\(expect)'"))
            }
            expectContinue = request.version == .http1_1
        }

        let transferEncodings = fields.transferEncoding ? headers.values("Transfer-Encoding") : []
        let hasContentLength = fields.contentLength
        if !transferEncodings.isEmpty {
            // RFC 9112 §6.1: Content-Length alongside Transfer-Encoding is a smuggling vector; reject.
            if hasContentLength {
                return .failure(.badRequest("Content-Length together with Transfer-Encoding"))
            }
            // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty.
            if request.version == .http1_0 {
                return .failure(.badRequest("Transfer-Encoding in an HTTP/1.0 request"))
            }
            let codings = transferEncodings.flatMap { $0.split(separator: ",") }.map { $0.trimmingWhitespace() }
            for coding in codings where !HTTPHeaders.equalsIgnoringCase(coding.utf8, "chunked".utf8) {
                // RFC 9112 §6.1: a transfer coding the server does not understand gets 501.
                return .failure(HTTPParseError(status: 501, reason: "transfer coding '\(coding)' is not supported"))
            }
            // RFC 9112 §6.3 (4) and §7: chunked must be final and applied only once.
            guard codings.count == 1 else {
                return .failure(.badRequest("chunked transfer coding applied more than once"))
            }
            return .success(.chunked(expectContinue: expectContinue))
        }

        if hasContentLength {
            switch contentLength(headers, limits: limits) {
            case .success(let value): return .success(value == 0 ? .none : .length(value, expectContinue: expectContinue))
            case .failure(let error): return .failure(error)
            }
        }
        // RFC 9112 §6.3 (7): a request with neither has no body.
        return .success(.none)
    }

    /// RFC 9112 §3.2: a 1.1 request without exactly one Host field gets 400, and so does any
    /// request whose Host is not `uri-host [":" port]` (RFC 3986 §3.2.2, §3.2.3).
    @inline(__always)
    private static func hostError(_ request: HTTPRequest, _ fields: FramingFields) -> HTTPParseError? {
        if let invalid = fields.invalidHost { return .badRequest("Host '\(invalid)' is not a valid host") }
        if request.version == .http1_1 && fields.hosts != 1 { return .badRequest("HTTP/1.1 request needs exactly one Host header") }
        return nil
    }

    /// RFC 9112 §6.3 (5): the body's length; a list of identical values may be taken as one,
    /// anything else is invalid.
    /// Scans bytes: splitting the text by characters, trimming and `Int(_:)` cost ~2,900
    /// instructions for one short value (callgrind).
    private static func contentLength(_ headers: HTTPHeaders, limits: HTTPParserLimits) -> Result<Int, HTTPParseError> {
        var length: Int?
        let fields = headers.fields
        for index in fields.indices where HTTPHeaders.equalsIgnoringCase(fields[index].name, "Content-Length") {
            var field = fields[index].value
            let failure: HTTPParseError? = field.withUTF8 { bytes in
                var elementStart = 0
                while true {
                    var end = elementStart
                    while end < bytes.count, bytes[end] != UInt8(ascii: ",") { end += 1 }
                    var first = elementStart
                    var last = end
                    while first < last, bytes[first] == .space || bytes[first] == .tab { first += 1 }
                    while last > first, bytes[last - 1] == .space || bytes[last - 1] == .tab { last -= 1 }
                    guard first < last else { return .badRequest("invalid Content-Length '\(fields[index].value)'") }
                    var value = 0
                    for i in first..<last {
                        guard let digit = bytes[i].decimalValue else { return .badRequest("invalid Content-Length '\(fields[index].value)'") }
                        value = value &* 10 &+ digit
                    }
                    guard last - first <= 18 else {
                        return HTTPParseError(status: 413, reason: "body larger than \(limits.maxBodySize) bytes")
                    }
                    if let previous = length, previous != value { return .badRequest("conflicting Content-Length values") }
                    length = value
                    if end == bytes.count { return nil }
                    elementStart = end + 1
                }
            }
            if let failure { return .failure(failure) }
        }
        let value = length ?? 0
        if value > limits.maxBodySize {
            return .failure(HTTPParseError(status: 413, reason: "body larger than \(limits.maxBodySize) bytes"))
        }
        return .success(value)
    }

    // MARK: Chunked body (RFC 9112 §7.1)

    private mutating func parseChunked(_ b: UnsafeBufferPointer<UInt8>, from start: Int, request: inout HTTPRequest, chunkState: ChunkState) -> (event: Event, consumed: Int) {
        var chunkState = chunkState
        var i = start
        let n = b.count
        while true {
            switch chunkState {
            case .size:
                guard let lineEnd = b.firstIndex(of: .lf, from: i, limit: i + limits.maxChunkLineLength + 2) else {
                    if n - i > limits.maxChunkLineLength { return fail(.badRequest("chunk size line too long")) }
                    state = .chunked(request, chunkState)
                    return (.needMore, i)
                }
                let contentEnd = lineEnd > i && b[lineEnd - 1] == .cr ? lineEnd - 1 : lineEnd
                var size = 0
                var digits = 0
                var j = i
                while j < contentEnd, let digit = b[j].hexValue {
                    size = size &* 16 &+ digit
                    digits += 1
                    j += 1
                }
                guard digits > 0, digits <= 15 else { return fail(.badRequest("invalid chunk size")) }
                // Whatever follows the size must be a chunk extension (BWS ";" ...); it is ignored.
                while j < contentEnd, b[j] == .space || b[j] == .tab { j += 1 }
                if j < contentEnd {
                    guard b[j] == UInt8(ascii: ";") else { return fail(.badRequest("invalid chunk size line")) }
                    for k in j..<contentEnd where b[k].isControl && b[k] != .tab {
                        return fail(.badRequest("control character in chunk extension"))
                    }
                }
                i = lineEnd + 1
                if size == 0 {
                    chunkState = .trailers(bytesSeen: 0)
                } else {
                    if request.body.count + size > limits.maxBodySize {
                        return fail(HTTPParseError(status: 413, reason: "body larger than \(limits.maxBodySize) bytes"))
                    }
                    chunkState = .data(remaining: size)
                }
            case .data(let remaining):
                let take = min(remaining, n - i)
                request.body.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<(i + take)]))
                i += take
                if take < remaining {
                    state = .chunked(request, .data(remaining: remaining - take))
                    return (.needMore, i)
                }
                chunkState = .dataEnd
            case .dataEnd:
                guard i < n else {
                    state = .chunked(request, chunkState)
                    return (.needMore, i)
                }
                if b[i] == .lf {
                    i += 1
                } else if b[i] == .cr {
                    guard i + 1 < n else {
                        state = .chunked(request, chunkState)
                        return (.needMore, i)
                    }
                    guard b[i + 1] == .lf else { return fail(.badRequest("chunk data not followed by CRLF")) }
                    i += 2
                } else {
                    return fail(.badRequest("chunk data longer than its size"))
                }
                chunkState = .size
            case .trailers(let seen):
                // Trailer fields are read and dropped (RFC 9112 §7.1.2 lets a recipient discard them).
                guard let lineEnd = b.firstIndex(of: .lf, from: i, limit: n) else {
                    if seen + (n - i) > limits.maxHeaderBlockSize {
                        return fail(HTTPParseError(status: 431, reason: "trailer section too large"))
                    }
                    state = .chunked(request, chunkState)
                    return (.needMore, i)
                }
                let contentEnd = lineEnd > i && b[lineEnd - 1] == .cr ? lineEnd - 1 : lineEnd
                let lineLength = lineEnd + 1 - i
                i = lineEnd + 1
                if contentEnd == lineEnd + 1 - lineLength {
                    return (.request(request), i)
                }
                if seen + lineLength > limits.maxHeaderBlockSize {
                    return fail(HTTPParseError(status: 431, reason: "trailer section too large"))
                }
                chunkState = .trailers(bytesSeen: seen + lineLength)
            }
        }
    }

    /// Whether an LF followed by an empty line (CRLF or LF) occurs at or after `from`.
    private static func containsHeadEnd(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> Bool {
        var i = from
        while let lf = b.firstIndex(of: .lf, from: i, limit: b.count) {
            if lf + 1 < b.count, b[lf + 1] == .lf { return true }
            if lf + 2 < b.count, b[lf + 1] == .cr, b[lf + 2] == .lf { return true }
            i = lf + 1
        }
        return false
    }
}
