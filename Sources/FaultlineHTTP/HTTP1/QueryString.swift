/// RFC 3986 §2.1 percent-decoding, with `+` as a space where the form encoding says so.
package enum PercentDecoding {
    /// Decodes %XX escapes (and `+` as space in query strings); malformed escapes stay as written.
    package static func decode<S: StringProtocol>(_ text: S, plusAsSpace: Bool) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }) else { return String(text) }
        let utf8 = Array(text.utf8)
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

    private static func hexValue(_ b: UInt8) -> UInt8? {
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
package enum QueryString {
    /// Whether any key starts with `byte`: a one-pass test before looking for rarer parameters.
    package static func hasKey(startingWith byte: UInt8, in query: Substring) -> Bool {
        var atKeyStart = true
        for b in query.utf8 {
            if atKeyStart && b == byte { return true }
            atKeyStart = b == UInt8(ascii: "&")
        }
        return false
    }

    /// The first value of `name` in an `application/x-www-form-urlencoded` query, decoded.
    /// Scans bytes: this runs on every request to find the scenario parameter.
    package static func first(_ name: String, in query: Substring) -> String? {
        let utf8 = query.utf8
        var pairStart = utf8.startIndex
        while pairStart < utf8.endIndex {
            var pairEnd = pairStart
            var equals: Substring.UTF8View.Index?
            while pairEnd != utf8.endIndex, utf8[pairEnd] != UInt8(ascii: "&") {
                if equals == nil, utf8[pairEnd] == UInt8(ascii: "=") { equals = pairEnd }
                pairEnd = utf8.index(after: pairEnd)
            }
            let keyEnd = equals ?? pairEnd
            let key = query[pairStart..<keyEnd]
            if key.utf8.elementsEqual(name.utf8) || (key.utf8.contains(UInt8(ascii: "%")) || key.utf8.contains(UInt8(ascii: "+"))) && PercentDecoding.decode(key, plusAsSpace: true) == name {
                let valueStart = equals.map { utf8.index(after: $0) } ?? pairEnd
                return PercentDecoding.decode(query[valueStart..<pairEnd], plusAsSpace: true)
            }
            pairStart = pairEnd == utf8.endIndex ? pairEnd : utf8.index(after: pairEnd)
        }
        return nil
    }
}
