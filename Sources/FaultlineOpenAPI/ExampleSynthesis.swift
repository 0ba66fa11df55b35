import FaultlineScenarios

/// A minimal body for a response the description gives no example for: the schema's own
/// examples where it has them, else the required properties with the simplest value their
/// type, format and bounds allow. The same description always gives the same body.
enum ExampleSynthesis {
    static func value(_ shape: Shape, depth: Int = 0) -> JSONValue {
        if let example = shape.example { return example }
        if let first = shape.enumValues?.first { return first }
        if let first = shape.alternatives.first { return value(first, depth: depth) }
        if shape.recursive || depth > 12 { return shape.kind == .array ? .array([]) : .null }
        switch shape.kind {
        case .object:
            var members: [JSONMember] = []
            for (name, property) in shape.properties where !property.writeOnly {
                guard shape.required.contains(name) || property.example != nil else { continue }
                members.append(JSONMember(key: name, value: value(property, depth: depth + 1)))
            }
            return .object(members)
        case .array:
            guard shape.minItems > 0, let items = shape.items else { return .array([]) }
            return .array(Array(repeating: value(items, depth: depth + 1), count: min(shape.minItems, 16)))
        case .string:
            return .string(string(shape))
        case .integer:
            return .number(integer(shape))
        case .number:
            return .number(number(shape))
        case .boolean:
            return .bool(false)
        case .null, .any:
            return .null
        }
    }

    private static func string(_ shape: Shape) -> String {
        var text = switch shape.format {
        case "date-time": "2026-01-01T00:00:00Z"
        case "date": "2026-01-01"
        case "time": "00:00:00Z"
        case "uuid": "00000000-0000-4000-8000-000000000000"
        case "email": "user@example.com"
        case "uri", "url": "https://example.com"
        case "hostname": "example.com"
        case "ipv4": "192.0.2.1"
        case "ipv6": "2001:db8::1"
        case "byte": "c3RyaW5n"
        default: "string"
        }
        if let minimum = shape.minLength, text.count < minimum {
            text += String(repeating: "x", count: min(minimum, 1024) - text.count)
        }
        if let maximum = shape.maxLength, text.count > maximum {
            text = String(text.prefix(maximum))
        }
        return text
    }

    private static func integer(_ shape: Shape) -> String {
        var value = 0.0
        if let minimum = shape.minimum, minimum.isFinite { value = minimum.rounded(.up) }
        if let minimum = shape.exclusiveMinimum, minimum.isFinite { value = (minimum + 1).rounded(.down) }
        if let maximum = shape.maximum, maximum.isFinite, value > maximum { value = maximum.rounded(.down) }
        if let maximum = shape.exclusiveMaximum, maximum.isFinite, value >= maximum { value = (maximum - 1).rounded(.up) }
        return String(Int(exactly: value) ?? 0)
    }

    private static func number(_ shape: Shape) -> String {
        var value = 0.0
        if let minimum = shape.minimum, minimum.isFinite { value = minimum }
        if let minimum = shape.exclusiveMinimum, minimum.isFinite { value = minimum + 1 }
        if let maximum = shape.maximum, maximum.isFinite, value > maximum { value = maximum }
        if let maximum = shape.exclusiveMaximum, maximum.isFinite, value >= maximum { value = maximum - 1 }
        return RuleSynthesis.literal(value)
    }
}
