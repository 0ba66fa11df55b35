/// What the state steps need of JSON values: numbers from numbers or numeric strings, one
/// text per value for keys and comparisons, hidden fields, and sums that keep their decimals.
extension JSONValue {
    /// The value as a number: a JSON number, or a string holding one (`"50.50"`).
    public var numberValue: Double? {
        switch self {
        case .number(let text): Self.number(text)
        case .string(let text) where JSONValue.isNumberLiteral(text): Self.number(text)
        default: nil
        }
    }

    /// `Double(text)`, with whole numbers of up to 15 digits (exact in a Double) read directly:
    /// a page or limit is one on every list, and `Double(String)` costs ~500 instructions.
    private static func number(_ text: String) -> Double? {
        let utf8 = text.utf8
        if utf8.count <= 15, let first = utf8.first, first != UInt8(ascii: "-") {
            var whole = 0
            for byte in utf8 {
                guard byte &- UInt8(ascii: "0") < 10 else { return Double(text) }
                whole = whole * 10 + Int(byte &- UInt8(ascii: "0"))
            }
            return Double(whole)
        }
        return Double(text)
    }

    /// The text that stands for the value in keys and comparisons: a string's own text,
    /// anything else serialised (`true`, `12`, `null`).
    var keyText: String {
        if case .string(let s) = self { return s }
        return serializedString
    }

    /// An object without the fields whose names start with `_`: stored for the state steps
    /// (an idempotency key, a retrack count), never shown as part of a whole item.
    var withoutHiddenFields: JSONValue {
        guard case .object(let members) = self, members.contains(where: { $0.key.utf8.first == UInt8(ascii: "_") }) else { return self }
        return .object(members.filter { $0.key.utf8.first != UInt8(ascii: "_") })
    }

    /// The object with `field` set (replaced in place, or appended).
    func setting(_ field: String, to value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        if let i = members.firstIndex(where: { $0.key == field }) {
            members[i].value = value
        } else {
            members.append(JSONMember(key: field, value: value))
        }
        return .object(members)
    }

    /// `a + b` written with as many decimals as the longer operand (`"150.50" - "100.00"` is
    /// `"50.50"`), kept a string when `self` was one; nil when either is no finite number or the
    /// sum overflows (the field is then left as it was).
    func adding(_ other: JSONValue) -> JSONValue? {
        guard let a = numberValue, let b = other.numberValue, (a + b).isFinite else { return nil }
        let decimals = max(Self.decimals(in: keyText), Self.decimals(in: other.keyText))
        let text = Self.format(a + b, decimals: decimals)
        if case .string = self { return .string(text) }
        return .number(text)
    }

    private static func decimals(in text: String) -> Int {
        guard let dot = text.utf8.firstIndex(of: UInt8(ascii: ".")) else { return 0 }
        return text.utf8[text.utf8.index(after: dot)...].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
    }

    /// `value` with `decimals` places (at most 12). A value too large for its places in an
    /// Int64 is written whole, and past Int64 in its shortest form (`1e+300`), still a JSON
    /// number: stored numbers of any size format without a trap.
    static func format(_ value: Double, decimals: Int) -> String {
        let places = min(max(0, decimals), 12)
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9.2e18 else {
            // Too large for its places in an Int64: the whole number, or its shortest form past Int64.
            guard value.isFinite else { return "0" }
            return abs(value) < 9.2e18 ? String(Int64(value.rounded())) : "\(value)"
        }
        let units = Int64(scaled)
        let sign = value < 0 && units != 0 ? "-" : ""
        guard places > 0 else { return sign + String(units) }
        let divisor = Int64(scale)
        var fraction = String(units % divisor)
        while fraction.utf8.count < places { fraction = "0" + fraction }
        return sign + String(units / divisor) + "." + fraction
    }
}

extension Double {
    /// The whole number below or at `self`, clamped to `range`; nil for NaN. For numbers from
    /// requests and stored items, where `Int(self)` would trap past `Int.max`.
    func clampedInt(_ range: ClosedRange<Int>) -> Int? {
        guard !isNaN else { return nil }
        if self <= Double(range.lowerBound) { return range.lowerBound }
        // Double(Int.max) rounds up to 2^63, so below it the conversion is exact and safe.
        if self >= Double(range.upperBound) { return range.upperBound }
        return Swift.max(range.lowerBound, Int(self.rounded(.down)))
    }
}

extension JSONValue {
    /// About how many bytes the value holds in memory, and how deeply it nests: what a stored
    /// item is charged against its client's budget. Each value is a box of some 48 bytes;
    /// strings and numbers past Swift's 15-byte inline form add their text and a header;
    /// arrays and objects add a header and a slot per element (and a key per member).
    var footprint: (bytes: Int, depth: Int) {
        func text(_ s: String) -> Int {
            let n = s.utf8.count
            return n > 15 ? 32 + n : 0
        }
        switch self {
        case .null, .bool: return (48, 1)
        case .number(let s), .string(let s): return (48 + text(s), 1)
        case .array(let items):
            var bytes = 48 + 32 + 8 * items.count
            var depth = 0
            for item in items {
                let inner = item.footprint
                bytes += inner.bytes
                depth = Swift.max(depth, inner.depth)
            }
            return (bytes, depth + 1)
        case .object(let members):
            var bytes = 48 + 32 + 24 * members.count
            var depth = 0
            for member in members {
                let inner = member.value.footprint
                bytes += text(member.key) + inner.bytes
                depth = Swift.max(depth, inner.depth)
            }
            return (bytes, depth + 1)
        }
    }
}
