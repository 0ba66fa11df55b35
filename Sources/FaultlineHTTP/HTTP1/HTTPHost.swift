/// The syntax of a Host field value: `uri-host [ ":" port ]` (RFC 9110 §7.2, RFC 3986 §3.2.2).
enum HTTPHost {
    /// Whether `value` is a host a client may send: a registered name (unreserved, sub-delims and
    /// percent-encodings), an IPv4 address (which that covers) or a bracketed IP literal, then an
    /// optional decimal port. Empty is valid: a client sends it when the target has no authority.
    static func isValid(_ value: String) -> Bool {
        var value = value
        // Contiguous bytes and integer indexes: this runs on every request.
        return value.withUTF8 { isValid($0) }
    }

    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        var i = 0
        if count > 0 && bytes[0] == UInt8(ascii: "[") {
            // IP-literal: IPv6 or IPvFuture, hex digits, ':' and '.', closed by ']'.
            i = 1
            while i < count && bytes[i] != UInt8(ascii: "]") {
                let byte = bytes[i]
                guard byte.hexValue != nil || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "v") || byte == UInt8(ascii: "V") else { return false }
                i += 1
            }
            guard i < count, i > 1 else { return false }
            i += 1
        } else {
            while i < count && bytes[i] != UInt8(ascii: ":") {
                let byte = bytes[i]
                if byte == UInt8(ascii: "%") {
                    // pct-encoded: exactly two hex digits.
                    guard i + 2 < count, bytes[i + 1].hexValue != nil, bytes[i + 2].hexValue != nil else { return false }
                    i += 3
                    continue
                }
                guard isRegNameByte(byte) else { return false }
                i += 1
            }
        }
        guard i < count else { return true }
        guard bytes[i] == UInt8(ascii: ":") else { return false }
        i += 1
        while i < count {
            guard bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9") else { return false }
            i += 1
        }
        return true
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
