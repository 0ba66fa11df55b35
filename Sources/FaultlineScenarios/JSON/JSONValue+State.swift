/// What the state steps need of JSON values: numbers from numbers or numeric strings, one
/// text per value for keys and comparisons, hidden fields, and sums that keep their decimals.
extension JSONValue {
    /// The value as a number: a JSON number, or a string holding one (`"50.50"`).
    public var numberValue: Double? {
        switch self {
        case .number(let text): Double(text)
        case .string(let text) where JSONValue.isNumberLiteral(text): Double(text)
        default: nil
        }
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
    /// `"50.50"`), kept a string when `self` was one.
    func adding(_ other: JSONValue) -> JSONValue? {
        guard let a = numberValue, let b = other.numberValue else { return nil }
        let decimals = max(Self.decimals(in: keyText), Self.decimals(in: other.keyText))
        let text = Self.format(a + b, decimals: decimals)
        if case .string = self { return .string(text) }
        return .number(text)
    }

    private static func decimals(in text: String) -> Int {
        guard let dot = text.utf8.firstIndex(of: UInt8(ascii: ".")) else { return 0 }
        return text.utf8[text.utf8.index(after: dot)...].prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
    }

    static func format(_ value: Double, decimals: Int) -> String {
        guard decimals > 0 else {
            let rounded = value.rounded()
            return rounded == 0 ? "0" : String(Int64(rounded))
        }
        var scale: Int64 = 1
        for _ in 0..<min(decimals, 12) { scale *= 10 }
        let scaled = Int64((abs(value) * Double(scale)).rounded())
        let whole = String(scaled / scale)
        var fraction = String(scaled % scale)
        while fraction.utf8.count < min(decimals, 12) { fraction = "0" + fraction }
        return (value < 0 && scaled != 0 ? "-" : "") + whole + "." + fraction
    }
}
