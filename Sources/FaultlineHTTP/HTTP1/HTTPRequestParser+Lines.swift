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

    static func parseFieldLine(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Result<(name: String, value: String), HTTPParseError> {
        // RFC 9112 §5.2: obsolete line folding in a request is rejected with 400.
        if b[start] == .space || b[start] == .tab { return .failure(.badRequest("obsolete line folding")) }
        var i = start
        while i < end, b[i].isTokenChar { i += 1 }
        // RFC 9112 §5.1: no whitespace is allowed between the field name and the colon.
        guard i > start, i < end, b[i] == UInt8(ascii: ":") else { return .failure(.badRequest("malformed header field")) }
        let name = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
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
