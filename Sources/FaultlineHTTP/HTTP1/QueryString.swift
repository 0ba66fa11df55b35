/// RFC 3986 §2.1 percent-decoding, with `+` as a space where the form encoding says so.
package enum PercentDecoding {
    /// Decodes %XX escapes (and `+` as space in query strings); malformed escapes stay as written.
    package static func decode<S: StringProtocol>(_ text: S, plusAsSpace: Bool) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }) else { return String(text) }
        return Array(text.utf8).withUnsafeBufferPointer { decode($0, plusAsSpace: plusAsSpace) }
    }

    /// Whether the bytes hold an escape (or a `+` that means a space).
    package static func needsDecoding(_ bytes: UnsafeBufferPointer<UInt8>, plusAsSpace: Bool) -> Bool {
        bytes.contains { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }
    }

    package static func decode(_ utf8: UnsafeBufferPointer<UInt8>, plusAsSpace: Bool) -> String {
        guard needsDecoding(utf8, plusAsSpace: plusAsSpace) else { return String(decoding: utf8, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            let b = utf8[i]
            if b == UInt8(ascii: "%"), i + 2 < utf8.count, let hi = hexValue(utf8[i + 1]), let lo = hexValue(utf8[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else if b == UInt8(ascii: "+") && plusAsSpace {
                out.append(UInt8(ascii: " "))
                i += 1
            } else {
                out.append(b)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    package static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// The query of a request target read as `application/x-www-form-urlencoded` pairs, without
/// splitting it first (most requests only ask for one parameter).
/// RFC 3986 §2.1 percent-encoding: letters, digits and the bytes of `keeping` as they are,
/// every other byte as `%XX` (upper-case hex).
package enum PercentEncoding {
    /// RFC 3986 §2.3's unreserved marks, kept in any component.
    package static let unreserved = "-._~"

    package static func encode(_ text: String, keeping: String = unreserved) -> String {
        var out = ""
        for byte in text.utf8 {
            let alphanumeric = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            if alphanumeric || keeping.utf8.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}

package enum QueryString {
    /// A bit for each byte a key of the query starts with (the byte's low six bits, so bytes
    /// may share one): the parser collects them as it checks the target, and a parameter whose
    /// first byte's bit is clear is not there, without a scan. A key starting with `%` or `+`
    /// may decode to anything, so it sets every bit.
    @inline(__always)
    package static func initialBit(_ byte: UInt8) -> UInt64 {
        byte == UInt8(ascii: "%") || byte == UInt8(ascii: "+") ? anyInitial : 1 &<< UInt64(byte & 63)
    }

    package static var anyInitial: UInt64 { ~0 }

    /// Whether a key of the query may be `name`, by `initials`.
    @inline(__always)
    package static func mayHave(_ name: String, initials: UInt64) -> Bool {
        initials & initialBit(name.utf8.first ?? 0) != 0
    }

    /// Whether any key starts with `byte`: a one-pass test before looking for rarer parameters.
    package static func hasKey(startingWith byte: UInt8, in query: Substring) -> Bool {
        var query = query
        return query.withUTF8 { bytes in
            var atKeyStart = true
            for b in bytes {
                if atKeyStart && b == byte { return true }
                atKeyStart = b == UInt8(ascii: "&")
            }
            return false
        }
    }

    /// The first value of `name` in an `application/x-www-form-urlencoded` query, decoded.
    /// Scans bytes: this runs on every request to find the scenario parameter.
    package static func first(_ name: String, in query: Substring) -> String? {
        // Through `withUTF8`: a slice's `withContiguousStorageIfAvailable` goes through
        // generic `Slice` code that cost ~500 instructions a call (callgrind).
        var name = name
        var query = query
        return name.withUTF8 { wanted in query.withUTF8 { first(wanted, in: $0) } }
    }

    private static func first(_ name: UnsafeBufferPointer<UInt8>, in query: UnsafeBufferPointer<UInt8>) -> String? {
        var pairStart = 0
        while pairStart < query.count {
            var pairEnd = pairStart
            var equals = -1
            while pairEnd < query.count, query[pairEnd] != UInt8(ascii: "&") {
                if equals < 0, query[pairEnd] == UInt8(ascii: "=") { equals = pairEnd }
                pairEnd += 1
            }
            let key = UnsafeBufferPointer(rebasing: query[pairStart..<(equals < 0 ? pairEnd : equals)])
            // Decoding never lengthens a key: a shorter one cannot be `name` even escaped.
            if key.equals(name) || key.count >= name.count && PercentDecoding.needsDecoding(key, plusAsSpace: true)
                && PercentDecoding.decode(key, plusAsSpace: true).utf8.elementsEqual(name) {
                return PercentDecoding.decode(UnsafeBufferPointer(rebasing: query[(equals < 0 ? pairEnd : equals + 1)..<pairEnd]), plusAsSpace: true)
            }
            pairStart = pairEnd + 1
        }
        return nil
    }
}
