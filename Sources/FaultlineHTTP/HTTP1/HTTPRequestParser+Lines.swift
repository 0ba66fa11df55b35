#if canImport(Glibc)
import Glibc
#endif

/// The request line and field lines of a head (RFC 9112 §3, §5).
extension HTTPRequestParser {
    static func parseRequestLine(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Result<(method: String, target: String, version: HTTPVersion), HTTPParseError> {
        // request-line = method SP request-target SP HTTP-version (RFC 9112 §3), single spaces only.
        var i = start
        while i < end, b[i].isTokenChar { i += 1 }
        guard i > start, i < end, b[i] == .space else { return .failure(.badRequest("malformed request line")) }
        let method = Self.method(UnsafeBufferPointer(rebasing: b[start..<i]))
        let targetStart = i + 1
        var j = targetStart
        // RFC 9112 §3.2: the target holds no whitespace or control characters.
        while j < end, b[j] > .space, b[j] != 0x7F { j += 1 }
        guard j > targetStart, j < end, b[j] == .space else { return .failure(.badRequest("malformed request target")) }
        let target = String(decoding: UnsafeBufferPointer(rebasing: b[targetStart..<j]), as: UTF8.self)
        let versionStart = j + 1
        // HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3).
        guard end - versionStart == 8,
              b[versionStart] == UInt8(ascii: "H"), b[versionStart + 1] == UInt8(ascii: "T"),
              b[versionStart + 2] == UInt8(ascii: "T"), b[versionStart + 3] == UInt8(ascii: "P"),
              b[versionStart + 4] == UInt8(ascii: "/"), b[versionStart + 6] == UInt8(ascii: "."),
              let major = b[versionStart + 5].decimalValue, let minor = b[versionStart + 7].decimalValue
        else { return .failure(.badRequest("malformed HTTP version")) }
        guard major == 1, minor <= 1 else {
            return .failure(HTTPParseError(status: 505, reason: "HTTP/\(major).\(minor) is not supported"))
        }
        // RFC 9112 §3.2: origin-form, absolute-form, or asterisk-form (OPTIONS only).
        let first = target.utf8.first!
        let validForm = first == UInt8(ascii: "/")
            || target.hasPrefix("http://") || target.hasPrefix("https://")
            || (target == "*" && method == "OPTIONS")
        guard validForm else { return .failure(.badRequest("unsupported request target form")) }
        return .success((method, target, HTTPVersion(major: major, minor: minor)))
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

    static func parseFieldLine(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Result<(name: String, value: String), HTTPParseError> {
        // RFC 9112 §5.2: obsolete line folding in a request is rejected with 400.
        if b[start] == .space || b[start] == .tab { return .failure(.badRequest("obsolete line folding")) }
        var i = start
        while i < end, b[i].isTokenChar { i += 1 }
        // RFC 9112 §5.1: no whitespace is allowed between the field name and the colon.
        guard i > start, i < end, b[i] == UInt8(ascii: ":") else { return .failure(.badRequest("malformed header field")) }
        let name = Self.fieldName(UnsafeBufferPointer(rebasing: b[start..<i]))
        var valueStart = i + 1
        var valueEnd = end
        while valueStart < valueEnd, b[valueStart] == .space || b[valueStart] == .tab { valueStart += 1 }
        while valueEnd > valueStart, b[valueEnd - 1] == .space || b[valueEnd - 1] == .tab { valueEnd -= 1 }
        // RFC 9110 §5.5: CR, LF and NUL (and other controls) are invalid in a field value.
        for k in valueStart..<valueEnd where b[k].isControl && b[k] != .tab {
            return .failure(.badRequest("invalid character in header field '\(name)'"))
        }
        let value = String(decoding: UnsafeBufferPointer(rebasing: b[valueStart..<valueEnd]), as: UTF8.self)
        return .success((name, value))
    }
}
