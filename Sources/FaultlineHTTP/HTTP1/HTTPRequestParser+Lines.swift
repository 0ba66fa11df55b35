#if canImport(Glibc)
import Glibc
#endif

/// The request line and field lines of a head (RFC 9112 §3, §5).
extension HTTPRequestParser {
    /// A struct, not a tuple, and thrown rather than wrapped in a `Result`: a `Result` of a
    /// five-part tuple was destroyed through the runtime's generic tuple witness, and the
    /// `Result` itself after its value was taken (~300 and ~200 instructions a request).
    struct RequestLine {
        var method: String
        var target: String
        var version: HTTPVersion
        /// Where the target's `?` is (an offset into it), -1 when an origin-form target has
        /// none, `HTTPRequest.unknownSplit` when the target needs the full split (another form,
        /// or a `#`): found in the scan that checks the target, so the request need not scan it
        /// again.
        var querySplit: Int
        /// `QueryString.initialBit` of each key of the query, found in the same scan.
        var initials: UInt64
    }

    static func parseRequestLine(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(HTTPParseError) -> RequestLine {
        // request-line = method SP request-target SP HTTP-version (RFC 9112 §3), single spaces only.
        var i = start
        while i < end, b[i].isTokenChar { i += 1 }
        guard i > start, i < end, b[i] == .space else { throw .badRequest("malformed request line") }
        let method = Self.method(UnsafeBufferPointer(rebasing: b[start..<i]))
        let targetStart = i + 1
        var j = targetStart
        var question = -1
        var fragment = false
        var initials: UInt64 = 0
        // RFC 9112 §3.2: the target holds no whitespace or control characters. The path first,
        // up to `?` or `#`; then the query, noting the byte each of its keys starts with.
        while j < end, b[j] > .space, b[j] != 0x7F, b[j] != UInt8(ascii: "?"), b[j] != UInt8(ascii: "#") { j += 1 }
        if j < end, b[j] == UInt8(ascii: "?") {
            question = j - targetStart
            j += 1
            var atKeyStart = true
            while j < end, b[j] > .space, b[j] != 0x7F {
                let byte = b[j]
                if atKeyStart { initials |= QueryString.initialBit(byte) }
                atKeyStart = byte == UInt8(ascii: "&")
                fragment = fragment || byte == UInt8(ascii: "#")
                j += 1
            }
            // A query that ends at `?` or `&` has an empty key last.
            if atKeyStart { initials |= QueryString.initialBit(0) }
        }
        if j < end, b[j] == UInt8(ascii: "#") {
            fragment = true
            while j < end, b[j] > .space, b[j] != 0x7F { j += 1 }
        }
        guard j > targetStart, j < end, b[j] == .space else { throw .badRequest("malformed request target") }
        let target = String(decoding: UnsafeBufferPointer(rebasing: b[targetStart..<j]), as: UTF8.self)
        let versionStart = j + 1
        // HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3).
        guard end - versionStart == 8,
              b[versionStart] == UInt8(ascii: "H"), b[versionStart + 1] == UInt8(ascii: "T"),
              b[versionStart + 2] == UInt8(ascii: "T"), b[versionStart + 3] == UInt8(ascii: "P"),
              b[versionStart + 4] == UInt8(ascii: "/"), b[versionStart + 6] == UInt8(ascii: "."),
              let major = b[versionStart + 5].decimalValue, let minor = b[versionStart + 7].decimalValue
        else { throw .badRequest("malformed HTTP version") }
        guard major == 1, minor <= 1 else {
            throw HTTPParseError(status: 505, reason: "HTTP/\(major).\(minor) is not supported")
        }
        // RFC 9112 §3.2: origin-form, absolute-form, or asterisk-form (OPTIONS only).
        let first = target.utf8.first!
        let validForm = first == UInt8(ascii: "/")
            || target.hasPrefix("http://") || target.hasPrefix("https://")
            || (target == "*" && method == "OPTIONS")
        guard validForm else { throw .badRequest("unsupported request target form") }
        // Offsets into the bytes are offsets into the text only when decoding kept every byte
        // (an invalid UTF-8 byte becomes a three-byte U+FFFD).
        let known = first == UInt8(ascii: "/") && !fragment && target.utf8.count == j - targetStart
        return RequestLine(method: method, target: target, version: HTTPVersion(major: major, minor: minor),
                                    querySplit: known ? question : HTTPRequest.unknownSplit, initials: known ? initials : QueryString.anyInitial)
    }

    /// The common methods as literals, which cost nothing to make; others decoded.
    private static func method(_ m: UnsafeBufferPointer<UInt8>) -> String {
        switch (m.count, m[0]) {
        case (3, UInt8(ascii: "G")) where m[1] == UInt8(ascii: "E") && m[2] == UInt8(ascii: "T"): return "GET"
        case (3, UInt8(ascii: "P")) where m[1] == UInt8(ascii: "U") && m[2] == UInt8(ascii: "T"): return "PUT"
        case (4, UInt8(ascii: "P")) where m[1] == UInt8(ascii: "O") && m[2] == UInt8(ascii: "S") && m[3] == UInt8(ascii: "T"): return "POST"
        case (4, UInt8(ascii: "H")) where m[1] == UInt8(ascii: "E") && m[2] == UInt8(ascii: "A") && m[3] == UInt8(ascii: "D"): return "HEAD"
        default: return String(decoding: m, as: UTF8.self)
        }
    }

    /// The field names nearly every request carries, in the two spellings clients use, as
    /// literals: decoding a name cost ~140 instructions; a literal costs nothing. Any other
    /// name (and any other spelling: case is kept as sent) is decoded.
    private static func fieldName(_ n: UnsafeBufferPointer<UInt8>) -> String {
        switch n.count {
        case 4:
            if same(n, "Host") { return "Host" }
            if same(n, "host") { return "host" }
        case 6:
            if same(n, "Accept") { return "Accept" }
            if same(n, "accept") { return "accept" }
        case 10:
            if same(n, "User-Agent") { return "User-Agent" }
            if same(n, "Connection") { return "Connection" }
            if same(n, "user-agent") { return "user-agent" }
            if same(n, "connection") { return "connection" }
        case 12:
            if same(n, "Content-Type") { return "Content-Type" }
            if same(n, "content-type") { return "content-type" }
        case 13:
            if same(n, "Authorization") { return "Authorization" }
            if same(n, "authorization") { return "authorization" }
        case 14:
            if same(n, "Content-Length") { return "Content-Length" }
            if same(n, "content-length") { return "content-length" }
        case 15:
            if same(n, "Accept-Encoding") { return "Accept-Encoding" }
            if same(n, "accept-encoding") { return "accept-encoding" }
        default:
            break
        }
        return String(decoding: n, as: UTF8.self)
    }

    @inline(__always)
    private static func same(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount).equals(bytes)
    }

    /// The fields that decide a request's framing, noted as the field lines are parsed, so
    /// that deciding it looks up only those present: four lookups and a walk over every field
    /// cost ~2,000 instructions for a POST with four fields (callgrind).
    struct FramingFields {
        var hosts = 0
        /// The first `Host` value that is not a valid host.
        var invalidHost: String?
        var expect = false
        var transferEncoding = false
        var contentLength = false

        mutating func note(_ name: UnsafeBufferPointer<UInt8>, _ value: String) {
            switch name.count {
            case 4 where Self.named(name, "host"):
                hosts += 1
                if invalidHost == nil, !HTTPHost.isValid(value) { invalidHost = value }
            case 6 where Self.named(name, "expect"): expect = true
            case 14 where Self.named(name, "content-length"): contentLength = true
            case 17 where Self.named(name, "transfer-encoding"): transferEncoding = true
            default: break
            }
        }

        @inline(__always)
        private static func named(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
            HTTPHeaders.equalsIgnoringCase(bytes: bytes, UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount))
        }
    }

    static func parseFieldLine(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ framing: inout FramingFields) throws(HTTPParseError) -> (name: String, value: String) {
        // RFC 9112 §5.2: obsolete line folding in a request is rejected with 400.
        if b[start] == .space || b[start] == .tab { throw .badRequest("obsolete line folding") }
        var i = start
        while i < end, b[i].isTokenChar { i += 1 }
        // RFC 9112 §5.1: no whitespace is allowed between the field name and the colon.
        guard i > start, i < end, b[i] == UInt8(ascii: ":") else { throw .badRequest("malformed header field") }
        let name = Self.fieldName(UnsafeBufferPointer(rebasing: b[start..<i]))
        var valueStart = i + 1
        var valueEnd = end
        while valueStart < valueEnd, b[valueStart] == .space || b[valueStart] == .tab { valueStart += 1 }
        while valueEnd > valueStart, b[valueEnd - 1] == .space || b[valueEnd - 1] == .tab { valueEnd -= 1 }
        // RFC 9110 §5.5: CR, LF and NUL (and other controls) are invalid in a field value.
        for k in valueStart..<valueEnd where b[k].isControl && b[k] != .tab {
            throw .badRequest("invalid character in header field '\(name)'")
        }
        let value = String(decoding: UnsafeBufferPointer(rebasing: b[valueStart..<valueEnd]), as: UTF8.self)
        framing.note(UnsafeBufferPointer(rebasing: b[start..<i]), value)
        return (name, value)
    }
}
