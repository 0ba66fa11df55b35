/// Serialises responses (RFC 9112 §4, §6). The server owns the framing headers: a responder's
/// own `Content-Length`, `Transfer-Encoding`, `Connection` or `Date` are replaced.
package enum HTTPResponseWriter {
    /// "HTTP/1.1 NNN Reason\r\n" for every status, built once, by the first response: byte by
    /// byte, since 600 string interpolations cost 1.8 million instructions of start-up.
    private static let statusLines: [[UInt8]] = {
        let prefix: [UInt8] = Array("HTTP/1.1 ".utf8)
        return (0..<600).map { status in
            var line = prefix
            line.reserveCapacity(48)
            for divisor in [100, 10, 1] { line.append(UInt8(ascii: "0") + UInt8(status / divisor % 10)) }
            line.append(UInt8(ascii: " "))
            line.appendUTF8(HTTPStatusReason.phrase(status))
            line.append(.cr)
            line.append(.lf)
            return line
        }
    }()

    static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    private static let datePrefix: [UInt8] = Array("Date: ".utf8)
    private static let contentLengthPrefix: [UInt8] = Array("Content-Length: ".utf8)
    private static let connectionClose: [UInt8] = Array("Connection: close\r\n".utf8)
    private static let connectionKeepAlive: [UInt8] = Array("Connection: keep-alive\r\n".utf8)

    /// Appends the whole response to `out`, so it leaves in one write.
    /// - Parameters:
    ///   - headOnly: a response to HEAD: the same header fields, no body (RFC 9110 §9.3.2).
    ///   - close: the connection closes after this response; say so (RFC 9112 §9.6).
    ///   - announceKeepAlive: an HTTP/1.0 client asked for keep-alive and gets it.
    package static func write(_ response: HTTPResponse, headOnly: Bool, close: Bool, announceKeepAlive: Bool, date: [UInt8], into out: inout [UInt8]) {
        let status = (100..<600).contains(response.status) ? response.status : 500
        if response.headers.allPrepared,
           writePrepared(response, status: status, headOnly: headOnly, close: close, announceKeepAlive: announceKeepAlive, date: date, into: &out) {
            return
        }
        out.append(contentsOf: statusLines[status])
        // Text through its UTF-8 buffer and separators a byte at a time: appending a string's
        // `utf8` view, or a two-byte array, cost well over a hundred instructions each, four
        // times per header.
        // By index, the fields read in place: a loop's copy of each field retained its two
        // strings, and `appendUTF8`'s mutable copy each again (20 retains a response).
        let headers = response.headers
        // Fields a responder prepared go in one copy (framing names are never prepared).
        if headers.wired > 0 { out.append(contentsOf: headers.wire) }
        let fields = headers.unpreparedFields
        for i in fields.indices where !isFramingHeader(fields[i].name) {
            out.appendUTF8(borrowing: fields[i].name)
            out.append(UInt8(ascii: ":"))
            out.append(UInt8(ascii: " "))
            out.appendUTF8(borrowing: fields[i].value)
            out.append(.cr)
            out.append(.lf)
        }
        out.append(contentsOf: datePrefix)
        out.append(contentsOf: date)
        out.append(.cr)
        out.append(.lf)
        let hasBody = HTTPResponse.statusAllowsBody(status)
        if hasBody {
            out.append(contentsOf: contentLengthPrefix)
            // HEAD without a body at hand (a proxied answer): the length its own field declares.
            if headOnly, response.body.isEmpty, let declared = headers["Content-Length"].flatMap(HTTPClientConnection.length) {
                out.appendDecimal(declared)
            } else {
                out.appendDecimal(response.body.count)
            }
            out.append(.cr)
            out.append(.lf)
        }
        if close {
            out.append(contentsOf: connectionClose)
        } else if announceKeepAlive {
            out.append(contentsOf: connectionKeepAlive)
        }
        out.append(.cr)
        out.append(.lf)
        if hasBody && !headOnly {
            out.append(contentsOf: response.body)
        }
    }

    /// The common case, every field prepared (a compiled response's): the head is put together
    /// on the stack and goes into `out` in one copy, the body in a second. Six appends of small
    /// arrays cost about 95 instructions each. False, having written nothing, when the head is
    /// too large for the stack buffer.
    private static func writePrepared(_ response: HTTPResponse, status: Int, headOnly: Bool, close: Bool, announceKeepAlive: Bool, date: [UInt8], into out: inout [UInt8]) -> Bool {
        let line = statusLines[status]
        let hasBody = HTTPResponse.statusAllowsBody(status)
        let connection = close ? connectionClose : announceKeepAlive ? connectionKeepAlive : []
        let wire = response.headers.wire
        // 20 digits hold any Int.
        let size = line.count + wire.count + datePrefix.count + date.count + 2 + (hasBody ? contentLengthPrefix.count + 22 : 0) + connection.count + 2
        guard size <= maxStackHead else { return false }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: size) { buffer in
            var head = HeadBuffer(buffer)
            head.put(line)
            head.put(wire)
            head.put(datePrefix)
            head.put(date)
            head.putCRLF()
            if hasBody {
                head.put(contentLengthPrefix)
                head.putDecimal(response.body.count)
                head.putCRLF()
            }
            head.put(connection)
            head.putCRLF()
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<head.count]))
        }
        if hasBody && !headOnly { out.append(contentsOf: response.body) }
        return true
    }

    /// The largest head `writePrepared` assembles on the stack.
    private static let maxStackHead = 8 * 1024

    /// A head being written into stack memory sized for it.
    private struct HeadBuffer {
        let base: UnsafeMutableBufferPointer<UInt8>
        var count = 0

        init(_ base: UnsafeMutableBufferPointer<UInt8>) { self.base = base }

        @inline(__always)
        mutating func put(_ bytes: [UInt8]) {
            bytes.withUnsafeBufferPointer { source in
                guard let from = source.baseAddress, let to = base.baseAddress else { return }
                (to + count).update(from: from, count: source.count)
                count += source.count
            }
        }

        @inline(__always)
        mutating func putCRLF() {
            base[count] = .cr
            base[count + 1] = .lf
            count += 2
        }

        mutating func putDecimal(_ value: Int) {
            var digits = 1
            var rest = value.magnitude / 10
            while rest > 0 { digits += 1; rest /= 10 }
            var magnitude = value.magnitude
            for i in stride(from: count + digits - 1, through: count, by: -1) {
                base[i] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            count += digits
        }
    }

    /// A minimal answer to a request that could not be parsed, always followed by a close.
    /// Where the head of a serialised response ends (after its blank line).
    static func headLength(_ bytes: [UInt8]) -> Int {
        var i = 3
        while i < bytes.count {
            if bytes[i] == .lf, bytes[i - 1] == .cr, bytes[i - 2] == .lf, bytes[i - 3] == .cr { return i + 1 }
            i += 1
        }
        return bytes.count
    }

    /// The response re-framed as `Transfer-Encoding: chunked` with a chunk-size line that is not
    /// hex (RFC 9112 §7.1 violated on purpose), for clients' parsers to choke on.
    static func malformedChunked(_ bytes: [UInt8], headLength: Int) -> [UInt8] {
        var head = Array(bytes[..<max(0, headLength - 2)])
        if let start = head.firstRange(of: Array("\r\nContent-Length: ".utf8))?.lowerBound,
           let end = head[(start + 2)...].firstRange(of: [UInt8.cr, .lf])?.lowerBound {
            head.removeSubrange(start..<end)
        }
        head.append(contentsOf: Array("Transfer-Encoding: chunked\r\n\r\nzz\r\n".utf8))
        head.append(contentsOf: bytes[headLength...])
        head.append(contentsOf: [.cr, .lf])
        return head
    }

    static func errorResponse(for error: HTTPParseError) -> HTTPResponse {
        plainText(error.status, "\(HTTPStatusReason.phrase(error.status)): \(error.reason)\n")
    }

    /// A short `text/plain` answer of the server's own (not a vendor's).
    static func plainText(_ status: Int, _ text: String) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        return HTTPResponse(status: status, headers: headers, body: Array(text.utf8))
    }

    /// A field the server writes itself; a responder's own is dropped.
    @inline(__always)
    package static func isFramingHeader(_ name: String) -> Bool {
        // Every framing header starts with c, d or t: most names are ruled out by one byte.
        guard let first = name.utf8.first else { return false }
        switch first | 0x20 {
        case UInt8(ascii: "c"), UInt8(ascii: "d"), UInt8(ascii: "t"): break
        default: return false
        }
        return switch name.utf8.count {
        case 4: HTTPHeaders.equalsIgnoringCase(name, "Date")
        case 10: HTTPHeaders.equalsIgnoringCase(name, "Connection")
        case 14: HTTPHeaders.equalsIgnoringCase(name, "Content-Length")
        case 17: HTTPHeaders.equalsIgnoringCase(name, "Transfer-Encoding")
        default: false
        }
    }

    /// The answer to a request body that could not be decoded.
    package static func decodingFailure(_ failure: RequestDecoding.Failure, limit: Int) -> HTTPResponse {
        switch failure {
        case .unsupported(let coding):
            var response = plainText(415, "Unsupported Media Type: Content-Encoding '\(coding)' is not supported\n")
            // RFC 9110 §12.5.3: a 415 may say which codings would have worked.
            response.headers.add(name: "Accept-Encoding", value: "gzip, deflate, identity")
            return response
        case .tooLarge:
            return plainText(413, "Content Too Large: the decoded request body is larger than \(limit) bytes\n")
        case .corrupt:
            return plainText(400, "Bad Request: the request body is not valid data in its Content-Encoding\n")
        case .tooManyCodings:
            var response = plainText(415, "Unsupported Media Type: at most \(RequestDecoding.maxCodings) content codings are undone\n")
            response.headers.add(name: "Accept-Encoding", value: "gzip, deflate, identity")
            return response
        }
    }
}
