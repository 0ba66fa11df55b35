import FaultlineScenarios
import OpenAPIKit
import Yams

/// Turns OpenAPIKit's schemas into `Shape`s: references followed one hop at a time (a reference
/// back into a schema being built is cut, where OpenAPIKit's `locallyDereferenced()` throws on
/// any cycle), `allOf` merged, `oneOf`/`anyOf` narrowed when only one alternative is not null.
final class ShapeBuilder {
    let components: OpenAPI.Components
    let raw: RawDocument
    var notes: ImportNotes
    /// Deeper nesting than this is not followed (and noted).
    static let maxDepth = 24
    private var built: [String: Shape] = [:]

    init(components: OpenAPI.Components, raw: RawDocument, notes: ImportNotes) {
        self.components = components
        self.raw = raw
        self.notes = notes
    }

    func shape(_ schema: JSONSchema, at pointer: String) throws(ImportError) -> Shape {
        try shape(schema, at: pointer, inside: [])
    }

    private func shape(_ schema: JSONSchema, at pointer: String, inside: [String]) throws(ImportError) -> Shape {
        guard inside.count < Self.maxDepth else {
            notes.add("schemas nested deeper than \(Self.maxDepth) levels (cut there)", at: pointer)
            let cut = Shape(.any, pointer: pointer)
            cut.recursive = true
            return cut
        }
        let shape: Shape
        switch schema.value {
        case .reference(let reference, _):
            return try resolve(reference, schema: schema, at: pointer, inside: inside)
        case .object(_, let context):
            shape = Shape(.object, pointer: pointer)
            for (name, property) in context.properties {
                shape.properties.append((name, try self.shape(property, at: Pointer.child(pointer, "properties", name), inside: inside)))
            }
            shape.required = context.requiredProperties
        case .array(_, let context):
            shape = Shape(.array, pointer: pointer)
            if let items = context.items { shape.items = try self.shape(items, at: Pointer.child(pointer, "items"), inside: inside) }
            shape.minItems = context.minItems
        case .string(_, let context):
            shape = Shape(.string, pointer: pointer)
            shape.minLength = context.minLength > 0 ? context.minLength : nil
            shape.maxLength = context.maxLength
            shape.pattern = context.pattern
        case .integer(_, let context):
            shape = Shape(.integer, pointer: pointer)
            bounds(shape, minimum: context.minimum.map { (Double($0.value), $0.exclusive) }, maximum: context.maximum.map { (Double($0.value), $0.exclusive) })
        case .number(_, let context):
            shape = Shape(.number, pointer: pointer)
            bounds(shape, minimum: context.minimum.map { ($0.value, $0.exclusive) }, maximum: context.maximum.map { ($0.value, $0.exclusive) })
        case .boolean:
            shape = Shape(.boolean, pointer: pointer)
        case .null:
            shape = Shape(.null, pointer: pointer)
        case .all(let parts, _):
            shape = Shape(.any, pointer: pointer)
            shape.nullable = true
            for (index, part) in parts.enumerated() {
                shape.merge(try self.shape(part, at: Pointer.child(pointer, "allOf", String(index)), inside: inside))
            }
            try mergeSiblings(into: shape, at: pointer, inside: inside)
        case .one(let parts, _), .any(let parts, _):
            let key = if case .one = schema.value { "oneOf" } else { "anyOf" }
            var alternatives: [Shape] = []
            for (index, part) in parts.enumerated() {
                alternatives.append(try self.shape(part, at: Pointer.child(pointer, key, String(index)), inside: inside))
            }
            shape = narrow(alternatives, key: key, at: pointer)
            try mergeSiblings(into: shape, at: pointer, inside: inside)
        case .not:
            notes.add("'not' schemas (not checked)", at: pointer)
            shape = Shape(.any, pointer: pointer)
        case .fragment:
            shape = Shape(.any, pointer: pointer)
        }
        noteUncheckedKeywords(at: pointer)
        // OpenAPIKit keeps the first of `type: [string, integer]`; a rule of that type alone
        // would refuse the others, so the shape has none.
        if let types = raw.value(at: pointer + "/type")?.arrayItems, types.filter({ $0 != .string("null") }).count > 1 {
            shape.kind = .any
            notes.add("type lists of several types (not checked)", at: pointer)
        }
        shape.nullable = shape.nullable || schema.nullable
        shape.readOnly = shape.readOnly || schema.readOnly
        shape.writeOnly = shape.writeOnly || schema.writeOnly
        if let format = schema.formatString, !format.isEmpty { shape.format = format }
        if let values = raw.value(at: pointer + "/enum")?.arrayItems {
            shape.enumValues = values
        } else if let value = raw.value(at: pointer + "/const") {
            shape.enumValues = [value]
        }
        shape.example = raw.value(at: pointer + "/examples")?.arrayItems?.first ?? raw.value(at: pointer + "/example") ?? raw.value(at: pointer + "/default") ?? shape.example
        return shape
    }

    private func resolve(_ reference: JSONReference<JSONSchema>, schema: JSONSchema, at pointer: String, inside: [String]) throws(ImportError) -> Shape {
        let target = reference.absoluteString
        guard case .internal(.component) = reference, let targetPointer = Pointer.of(reference: target) else {
            notes.add("references to other files or to schemas outside #/components/schemas (not followed; no rules, no example there)", at: pointer)
            return Shape(.any, pointer: pointer)
        }
        if inside.contains(target) {
            let cut = Shape(.any, pointer: pointer)
            cut.recursive = true
            return cut
        }
        var shape: Shape
        if let cached = built[target] {
            shape = cached
        } else {
            let resolved: JSONSchema
            do {
                resolved = try components.lookupOnce(schema)
            } catch {
                throw ImportError(pointer: pointer, message: "$ref '\(target)' cannot be resolved: \(error)")
            }
            shape = try self.shape(resolved, at: targetPointer, inside: inside + [target])
            built[target] = shape
        }
        // 3.1 lets a reference carry its own readOnly, writeOnly and nullable: a copy has them.
        if schema.readOnly || schema.writeOnly || schema.nullable {
            let copy = Shape(shape.kind, pointer: shape.pointer)
            copy.nullable = true
            copy.merge(shape)
            copy.nullable = shape.nullable || schema.nullable
            copy.readOnly = shape.readOnly || schema.readOnly
            copy.writeOnly = shape.writeOnly || schema.writeOnly
            shape = copy
        }
        return shape
    }

    /// OpenAPIKit keeps only the composition of `allOf`/`oneOf`/`anyOf` and drops the
    /// `properties`, `required` and `items` written beside it; they are read again from the
    /// raw tree and merged in.
    private func mergeSiblings(into shape: Shape, at pointer: String, inside: [String]) throws(ImportError) {
        guard case .object(let members)? = raw.value(at: pointer),
              members.contains(where: { ["properties", "required", "items"].contains($0.key) }) else { return }
        let siblings = JSONValue.object(members.filter { !["allOf", "oneOf", "anyOf", "not", "discriminator"].contains($0.key) })
        guard let schema = try? YAMLDecoder().decode(JSONSchema.self, from: siblings.serializedString) else {
            notes.add("keywords beside allOf/oneOf/anyOf that could not be read (not validated)", at: pointer)
            return
        }
        shape.merge(try self.shape(schema, at: pointer, inside: inside))
    }

    /// Keywords the scenario file's rules have no counterpart for.
    private func noteUncheckedKeywords(at pointer: String) {
        guard let members = raw.value(at: pointer)?.objectMembers else { return }
        for member in members {
            switch member.key {
            case "multipleOf", "maxItems", "uniqueItems", "minProperties", "maxProperties", "patternProperties", "dependentRequired", "if":
                notes.add("'\(member.key)' (not checked)", at: pointer)
            case "additionalProperties" where member.value == .bool(false):
                notes.add("'additionalProperties: false' (not checked: unknown fields pass)", at: pointer)
            default:
                continue
            }
        }
    }

    private func bounds(_ shape: Shape, minimum: (Double, Bool)?, maximum: (Double, Bool)?) {
        if let (value, exclusive) = minimum {
            if exclusive { shape.exclusiveMinimum = value } else { shape.minimum = value }
        }
        if let (value, exclusive) = maximum {
            if exclusive { shape.exclusiveMaximum = value } else { shape.maximum = value }
        }
    }

    /// One alternative besides `null` is that alternative, nullable; alternatives of one scalar
    /// type are that type; anything else cannot be decided by the scenario file's rules.
    private func narrow(_ alternatives: [Shape], key: String, at pointer: String) -> Shape {
        let shape = Shape(.any, pointer: pointer)
        let values = alternatives.filter { $0.kind != .null }
        if values.count == 1 {
            shape.merge(values[0])
            shape.nullable = values.count < alternatives.count || values[0].nullable
            return shape
        }
        if let kind = values.first?.kind, [.string, .integer, .number, .boolean].contains(kind), values.allSatisfy({ $0.kind == kind }) {
            shape.kind = kind
            shape.nullable = values.count < alternatives.count
            shape.example = values.first?.example
            return shape
        }
        guard !values.isEmpty else { return shape }
        shape.alternatives = values
        notes.add("\(key) with alternatives the rules cannot decide between (not validated; the first alternative writes examples)", at: pointer)
        return shape
    }
}
