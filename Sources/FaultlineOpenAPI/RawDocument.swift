import FaultlineScenarios
import Foundation
import Yams

/// The description as written: object members in file order and numbers as written, which
/// OpenAPIKit's model does not keep (its example values are `[String: Any]`). Examples,
/// defaults and enum values are read from here, by the JSON pointer of the object OpenAPIKit
/// handed over; OpenAPIKit reads the structure and resolves the references.
struct RawDocument {
    let root: JSONValue

    /// The value at an RFC 6901 pointer (`/paths/~1pets/get`), or nil.
    func value(at pointer: String) -> JSONValue? {
        var current = root
        guard !pointer.isEmpty else { return current }
        for token in pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let key = Pointer.unescape(token)
            switch current {
            case .object(let members):
                guard let next = members.value(of: key) else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(key), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Most values a YAML description of `bytes` may expand to (its aliases written out):
    /// without aliases a value takes at least a byte, so this only stops an alias bomb.
    static func maxValues(bytes: Int) -> Int { max(250_000, 4 * bytes) }
    static let maxDepth = 512

    /// A YAML node as JSON: scalars by the tag YAML 1.1's rules give them, so `1.5` is a number
    /// and `"1.5"` (quoted) a string; merge keys (`<<: *base`) merged. Nil past `budget`
    /// values or `maxDepth` levels (an alias bomb, a runaway nesting).
    static func json(_ node: Node, depth: Int, budget: inout Int) -> JSONValue? {
        budget -= 1
        guard budget >= 0, depth <= maxDepth else { return nil }
        switch node {
        case .scalar(let scalar):
            return scalarValue(node, scalar.string)
        case .mapping(let mapping):
            var members: [JSONMember] = []
            var merged: [JSONMember] = []
            for (key, value) in mapping {
                if key.string == "<<", Resolver.default.resolveTag(of: key) == .merge {
                    let sources = value.sequence.map { Array($0) } ?? [value]
                    for source in sources {
                        guard case .object(let inherited)? = json(source, depth: depth + 1, budget: &budget) else { continue }
                        merged += inherited
                    }
                    continue
                }
                guard let converted = json(value, depth: depth + 1, budget: &budget) else { return nil }
                members.append(JSONMember(key: key.string ?? "", value: converted))
            }
            for member in merged where !members.contains(where: { $0.key == member.key }) { members.append(member) }
            return .object(members)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for item in sequence {
                guard let converted = json(item, depth: depth + 1, budget: &budget) else { return nil }
                items.append(converted)
            }
            return .array(items)
        case .alias:
            return .null
        }
    }

    private static func scalarValue(_ node: Node, _ text: String) -> JSONValue {
        switch Resolver.default.resolveTag(of: node) {
        case .null:
            return .null
        case .bool:
            return node.bool.map { .bool($0) } ?? .string(text)
        case .int, .float:
            if JSONValue.isNumberLiteral(text) { return .number(text) }
            if let value = node.int { return .number(String(value)) }
            if let value = node.float, value.isFinite { return .number(String(value)) }
            return .string(text)
        default:
            return .string(text)
        }
    }
}

/// RFC 6901 JSON pointers, as error messages and the raw document use them.
enum Pointer {
    static func escape<S: StringProtocol>(_ token: S) -> String {
        var out = ""
        for character in token {
            switch character {
            case "~": out += "~0"
            case "/": out += "~1"
            default: out.append(character)
            }
        }
        return out
    }

    static func unescape<S: StringProtocol>(_ token: S) -> String {
        guard token.contains("~") else { return String(token) }
        return String(token).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }

    static func child(_ pointer: String, _ tokens: String...) -> String {
        tokens.reduce(pointer) { $0 + "/" + escape($1) }
    }

    /// The pointer of a local reference (`#/components/schemas/Pet`), nil for another file's.
    static func of(reference: String) -> String? {
        guard reference.hasPrefix("#") else { return nil }
        return String(reference.dropFirst())
    }
}
