/// A JSON value that keeps object members in the order written and numbers exactly as
/// written, so a vendor body comes out byte for byte as the scenario file has it. Not
/// `indirect`: arrays already hold their elements out of line, and boxing every value (a
/// string, a number) cost an allocation each.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's literal text, e.g. `4003` or `50.50`.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.value(of: key)
    }

    public subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// Whether `text` is a JSON number literal (RFC 8259 §6), nothing before or after it.
    /// Scanned in place: templates ask this of a value on every rendering.
    public static func isNumberLiteral<S: StringProtocol>(_ text: S) -> Bool {
        if let answer = text.utf8.withContiguousStorageIfAvailable(isNumberLiteral(bytes:)) { return answer }
        return Array(text.utf8).withUnsafeBufferPointer(isNumberLiteral(bytes:))
    }

    static func isNumberLiteral(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            return index - start
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return false
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return false }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return false }
        }
        return index == bytes.count
    }
}

extension Array where Element == JSONMember {
    /// The value of member `key`. Lengths are compared first: most keys of one object differ
    /// in length, and a loader looks up every key it knows in every object of a file.
    package func value(of key: String) -> JSONValue? {
        let length = key.utf8.count
        for member in self where member.key.utf8.count == length && member.key == key { return member.value }
        return nil
    }
}

public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var value: JSONValue

    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}
