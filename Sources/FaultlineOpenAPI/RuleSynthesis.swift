import FaultlineScenarios

/// The scenario file's `validate` rules for a request body, query and path parameters, from
/// their schemas. What the rules cannot say (other formats, `minItems`, undecidable `oneOf`)
/// is noted where it is.
struct RuleSynthesis {
    /// Where notes go (the import's one list).
    let sink: ShapeBuilder
    var rules: [JSONValue] = []
    /// Formats the validator checks; the numeric ones only say the size of a number.
    static let checkedFormats: Set<String> = ["uuid", "email", "date-time"]
    static let silentFormats: Set<String> = ["int32", "int64", "float", "double", ""]
    /// Deeper body fields than this get no rules.
    static let maxDepth = 8

    init(sink: ShapeBuilder) {
        self.sink = sink
    }

    /// Rules for the JSON body's fields: `a.b`, `items[*].sku`.
    mutating func body(_ shape: Shape) {
        switch shape.kind {
        case .object: members(of: shape, prefix: "", depth: 0)
        case .array: sink.notes.add("request bodies that are arrays (their items not validated)", at: shape.pointer)
        default: return
        }
    }

    /// A query or path parameter (`location` "query" or "path").
    mutating func parameter(_ name: String, location: String, required: Bool, shape: Shape) {
        if shape.kind == .array || shape.kind == .object {
            sink.notes.add("array and object parameters (not validated)", at: shape.pointer)
            return
        }
        add(field: name, location: location, required: required && location != "path", shape: shape)
    }

    private mutating func members(of shape: Shape, prefix: String, depth: Int) {
        guard !shape.recursive else { return }
        guard depth < Self.maxDepth else {
            sink.notes.add("body fields nested deeper than \(Self.maxDepth) levels (not validated)", at: shape.pointer)
            return
        }
        if shape.isUndecided { return }
        for (name, property) in shape.properties where !property.readOnly {
            let field = prefix.isEmpty ? name : prefix + "." + name
            if name.isEmpty || name.contains(".") || name.contains("[") {
                sink.notes.add("property names that are empty or hold '.' or '[' (not validated)", at: property.pointer)
                continue
            }
            add(field: field, location: nil, required: shape.required.contains(name), shape: property)
            descend(into: property, field: field, depth: depth + 1)
        }
    }

    private mutating func descend(into shape: Shape, field: String, depth: Int) {
        switch shape.kind {
        case .object:
            members(of: shape, prefix: field, depth: depth)
        case .array:
            guard let items = shape.items, !items.recursive, depth < Self.maxDepth else { return }
            if items.kind == .object {
                members(of: items, prefix: field + "[*]", depth: depth + 1)
            } else {
                add(field: field + "[*]", location: nil, required: false, shape: items)
            }
        default:
            return
        }
    }

    private mutating func add(field: String, location: String?, required: Bool, shape: Shape) {
        var members: [JSONMember] = []
        if let location { members.append(JSONMember(key: "in", value: .string(location))) }
        members.append(JSONMember(key: "field", value: .string(field)))
        // A null counts as absent to the validator, so a nullable field cannot also be required.
        if required && !shape.nullable { members.append(JSONMember(key: "required", value: .bool(true))) }
        if required && shape.nullable { sink.notes.add("required fields that may be null (their absence passes too)", at: shape.pointer) }
        if !shape.isUndecided, shape.kind != .any, shape.kind != .null {
            members.append(JSONMember(key: "type", value: .string(shape.kind.rawValue)))
        }
        if shape.kind == .integer || shape.kind == .number {
            for (key, bound) in [("minimum", shape.minimum), ("maximum", shape.maximum), ("exclusiveMinimum", shape.exclusiveMinimum), ("exclusiveMaximum", shape.exclusiveMaximum)] {
                if let bound, bound.isFinite { members.append(JSONMember(key: key, value: .number(Self.literal(bound)))) }
            }
        }
        if shape.kind == .string {
            if let minimum = shape.minLength { members.append(JSONMember(key: "minLength", value: .number(String(minimum)))) }
            if let maximum = shape.maxLength { members.append(JSONMember(key: "maxLength", value: .number(String(maximum)))) }
            if let pattern = shape.pattern {
                if (try? LinearRegex(pattern)) != nil {
                    members.append(JSONMember(key: "pattern", value: .string(pattern)))
                } else {
                    sink.notes.add("patterns that need backtracking or are not ECMAScript (not checked)", at: shape.pointer)
                }
            }
            if let format = shape.format {
                if Self.checkedFormats.contains(format) {
                    members.append(JSONMember(key: "format", value: .string(format)))
                } else if !Self.silentFormats.contains(format) {
                    sink.notes.add("format '\(format)' (not checked)", at: shape.pointer)
                }
            }
        }
        if let values = shape.enumValues, shape.kind != .object, shape.kind != .array {
            let texts: [JSONValue] = values.compactMap {
                switch $0 {
                case .string(let text): .string(text)
                case .number(let text): .string(text)
                case .bool(let flag): .string(flag ? "true" : "false")
                default: nil
                }
            }
            if !texts.isEmpty { members.append(JSONMember(key: "enum", value: .array(texts))) }
        }
        if shape.kind == .array, shape.minItems > 0 {
            sink.notes.add("minItems/maxItems (not checked)", at: shape.pointer)
        }
        guard members.count > (location == nil ? 1 : 2) else { return }
        rules.append(.object(members))
    }

    /// A bound as a JSON number: `1` for 1.0, else the shortest text that reads back the same.
    static func literal(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }
}
