/// The syntax of a Host field value: `uri-host [ ":" port ]` (RFC 9110 §7.2, RFC 3986 §3.2.2).
enum HTTPHost {
    /// Whether `value` is a host a client may send: a registered name (unreserved, sub-delims and
    /// percent-encodings), an IPv4 address (which that covers) or a bracketed IP literal, then an
    /// optional decimal port. Empty is valid: a client sends it when the target has no authority.
    static func isValid<C: Collection>(_ value: C) -> Bool where C.Element == UInt8 {
        var rest = value[...]
        if rest.first == UInt8(ascii: "[") {
            // IP-literal: IPv6 or IPvFuture, hex digits, ':' and '.', closed by ']'.
            guard let close = rest.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let literal = rest[rest.index(after: rest.startIndex)..<close]
            guard !literal.isEmpty, literal.allSatisfy({ $0.hexValue != nil || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "v") || $0 == UInt8(ascii: "V") }) else { return false }
            rest = rest[rest.index(after: close)...]
        } else {
            let end = rest.firstIndex(of: UInt8(ascii: ":")) ?? rest.endIndex
            var i = rest.startIndex
            while i < end {
                let byte = rest[i]
                if byte == UInt8(ascii: "%") {
                    // pct-encoded: exactly two hex digits.
                    let first = rest.index(after: i)
                    guard first < end, rest[first].hexValue != nil else { return false }
                    let second = rest.index(after: first)
                    guard second < end, rest[second].hexValue != nil else { return false }
                    i = rest.index(after: second)
                    continue
                }
                guard isRegNameByte(byte) else { return false }
                i = rest.index(after: i)
            }
            rest = rest[end...]
        }
        guard let colon = rest.first else { return true }
        guard colon == UInt8(ascii: ":") else { return false }
        return rest.dropFirst().allSatisfy { $0.decimalValue != nil }
    }

    /// unreserved / sub-delims (RFC 3986 §2.3, §2.2).
    @inline(__always) private static func isRegNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
             UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }
}
