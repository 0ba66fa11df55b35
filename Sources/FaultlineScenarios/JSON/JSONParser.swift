/// Where a JSON document is malformed: line, column and the JSON path reached.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let path: String
    public let message: String

    public var description: String { "line \(line), column \(column) (at \(path)): \(message)" }
}

/// A strict RFC 8259 parser. Duplicate object keys are an error, since a scenario file with
/// two values for one key is ambiguous.
public struct JSONParser {
    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    /// Members and items of the objects and arrays being read, innermost last: each container
    /// is then made once at its final size instead of growing one element at a time.
    private var memberStack: [JSONMember] = []
    private var itemStack: [JSONValue] = []

    /// Where an error happened, innermost first: filled in as the error passes each container
    /// on its way out, so a document that parses pays nothing for it.
    private enum PathComponent {
        case key(String)
        case index(Int)
    }

    private struct Failure: Error {
        var message: String
        var index: Int
        var location: [PathComponent] = []
    }

    private static let maxDepth = 256

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        // Tolerate a UTF-8 byte order mark written by some editors.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3 }
        do throws(Failure) {
            let value = try parser.value()
            parser.skipWhitespace()
            guard parser.atEnd else { throw parser.error("unexpected text after the JSON value") }
            return value
        } catch {
            throw parser.report(error)
        }
    }

    var atEnd: Bool { index >= bytes.count }

    /// One value, as `parse` reads it but without requiring the end of the input after it.
    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        do throws(Failure) {
            return try value()
        } catch {
            throw report(error)
        }
    }

    private func error(_ message: String) -> Failure {
        Failure(message: message, index: index)
    }

    private func report(_ failure: Failure) -> JSONParseError {
        let path = failure.location.reversed().reduce("$") { path, component in
            switch component {
            case .key(let key): JSONPath.child(path, key)
            case .index(let i): JSONPath.index(path, i)
            }
        }
        var line = 1
        var column = 1
        for byte in bytes[0..<min(failure.index, bytes.count)] {
            if byte == 0x0A { line += 1; column = 1 } else { column += 1 }
        }
        return JSONParseError(line: line, column: column, path: path, message: failure.message)
    }

    /// A byte for a message: printable ASCII as itself, anything else by its code (a NUL or a
    /// stray UTF-8 byte would otherwise land in logs as an invisible or wrong character).
    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte <= 0x7E { return "character '\(Character(Unicode.Scalar(byte)))'" }
        let hex = Array("0123456789ABCDEF".utf8)
        return "byte 0x" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private mutating func value() throws(Failure) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected \(Self.describe(bytes[index]))")
        }
    }

    private mutating func parseLiteral(_ word: String, _ value: JSONValue) throws(Failure) -> JSONValue {
        let w = Array(word.utf8)
        guard index + w.count <= bytes.count, Array(bytes[index..<(index + w.count)]) == w else {
            throw error("invalid literal")
        }
        index += w.count
        return value
    }

    private mutating func parseNumber() throws(Failure) -> JSONValue {
        let start = index
        func digits() -> Int {
            let s = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            return index - s
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw error("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            throw error("invalid number")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw error("invalid number: digits expected after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw error("invalid number: digits expected in exponent") }
        }
        return .number(String(decoding: bytes[start..<index], as: UTF8.self))
    }

    /// Text from validated bytes. ASCII (nearly every key and value in a scenario file) takes
    /// the direct path: the generic `String(validating:)` costs several hundred instructions
    /// a string before it looks at a byte.
    private func string(_ slice: ArraySlice<UInt8>) throws(Failure) -> String {
        if !slice.contains(where: { $0 >= 0x80 }) { return String(decoding: slice, as: UTF8.self) }
        guard let text = String(validating: slice, as: UTF8.self) else { throw error("string is not valid UTF-8") }
        return text
    }

    private mutating func parseString() throws(Failure) -> String {
        index += 1
        // Fast path: ASCII without escapes, so the string is the input bytes themselves, found
        // in one pass over the buffer (nearly every key and value of a scenario file).
        let start = index
        let fast = bytes.withUnsafeBufferPointer { buffer -> (text: String, end: Int)? in
            var end = start
            var seen: UInt8 = 0
            while end < buffer.count {
                let byte = buffer[end]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                seen |= byte
                end += 1
            }
            guard seen < 0x80, end < buffer.count, buffer[end] == UInt8(ascii: "\"") else { return nil }
            return (String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self), end)
        }
        if let fast {
            index = fast.end + 1
            return fast.text
        }
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw error("unterminated string") }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return try string(out[...])
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw error("unterminated escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired surrogate in \\u escape")
                        }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                    out.append(contentsOf: String(Character(unicode)).utf8)
                default:
                    throw error("invalid escape")
                }
            case 0..<0x20:
                throw error("control character in string")
            default:
                out.append(byte)
                index += 1
            }
        }
    }

    private mutating func parseHex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private mutating func parseArray() throws(Failure) -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth)") }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array([])
        }
        let first = itemStack.count
        defer { itemStack.removeSubrange(first...) }
        while true {
            do throws(Failure) {
                itemStack.append(try value())
            } catch {
                var failure = error
                failure.location.append(.index(itemStack.count - first))
                throw failure
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unterminated array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(Array(itemStack[first...])) }
            throw error("expected ',' or ']'")
        }
    }

    private mutating func parseObject() throws(Failure) -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth)") }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object([])
        }
        let first = memberStack.count
        defer { memberStack.removeSubrange(first...) }
        // Past a few members, keys are remembered in a set: a body with 100k keys stays linear.
        var keys: Set<String> = []
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseString()
            let count = memberStack.count - first
            let duplicate: Bool
            if count < 8 {
                // Lengths first: most keys of one object differ in length, and comparing
                // those costs no string comparison.
                let length = key.utf8.count
                duplicate = memberStack[first...].contains { $0.key.utf8.count == length && $0.key == key }
            } else {
                if count == 8 { keys = Set(memberStack[first...].map(\.key)) }
                duplicate = !keys.insert(key).inserted
            }
            do throws(Failure) {
                if duplicate { throw error("duplicate key '\(key)'") }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
                index += 1
                memberStack.append(JSONMember(key: key, value: try value()))
                skipWhitespace()
                guard index < bytes.count else { throw error("unterminated object") }
                guard bytes[index] == UInt8(ascii: ",") || bytes[index] == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
            } catch {
                var failure = error
                failure.location.append(.key(key))
                throw failure
            }
            index += 1
            if bytes[index - 1] == UInt8(ascii: "}") {
                // The body's own object (not one inside an array) takes the stack itself: no
                // copy, and the `defer` finds it empty.
                guard depth == 1 else { return .object(Array(memberStack[first...])) }
                var members: [JSONMember] = []
                swap(&members, &memberStack)
                return .object(members)
            }
        }
    }
}
