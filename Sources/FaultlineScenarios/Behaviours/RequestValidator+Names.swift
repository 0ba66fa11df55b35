extension RequestValidator {
    /// How a message names a field, by the vendor's style: `destination_country` as is, as
    /// `destination country`, or as `Destination Country`.
    ///
    /// On bytes: splitting on `Character`s cost about 6,000 instructions a field, and
    /// splitting the UTF-8 view about 1,500.
    static func name(for field: String, style nameStyle: ValidationSpec.NameStyle) -> String {
        guard nameStyle != .path else { return field }
        var field = field
        return field.withUTF8 { bytes -> String in
            let dot = UInt8(ascii: "."), underscore = UInt8(ascii: "_"), space = UInt8(ascii: " ")
            // The last key: the last run between dots that is not empty (all of it if none is).
            var end = bytes.count
            while end > 0, bytes[end - 1] == dot { end -= 1 }
            var start = end
            while start > 0, bytes[start - 1] != dot { start -= 1 }
            let last = start == end ? bytes : UnsafeBufferPointer(rebasing: bytes[start..<end])
            switch nameStyle {
            case .path, .key:
                return String(decoding: last, as: UTF8.self)
            case .words:
                return String(decoding: last.map { $0 == underscore ? space : $0 }, as: UTF8.self)
            case .capitalized:
                var out: [UInt8] = []
                out.reserveCapacity(last.count)
                var atWordStart = true
                for byte in last {
                    if byte == underscore {
                        atWordStart = true
                        continue
                    }
                    if atWordStart {
                        // A non-ASCII initial goes by Unicode's own upper-casing.
                        guard byte < 0x80 else { return Self.capitalizedWords(String(decoding: last, as: UTF8.self)) }
                        if !out.isEmpty { out.append(space) }
                        atWordStart = false
                        out.append(byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 0x20 : byte)
                    } else {
                        out.append(byte)
                    }
                }
                return String(decoding: out, as: UTF8.self)
            }
        }
    }

    private static func capitalizedWords(_ text: String) -> String {
        text.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }
}
