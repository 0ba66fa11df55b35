import FaultlineScenarios
import OpenAPIKit

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
        case .one(let parts, _), .any(let parts, _):
            let key = if case .one = schema.value { "oneOf" } else { "anyOf" }
            var alternatives: [Shape] = []
            for (index, part) in parts.enumerated() {
                alternatives.append(try self.shape(part, at: Pointer.child(pointer, key, String(index)), inside: inside))
            }
            shape = narrow(alternatives, key: key, at: pointer)
        case .not, .fragment:
            shape = Shape(.any, pointer: pointer)
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
        guard reference.isInternal, let targetPointer = Pointer.of(reference: target) else {
            notes.add("references to other files (not followed; no rules, no example there)", at: pointer)
            return Shape(.any, pointer: pointer)
        }
        if inside.contains(target) {
            let cut = Shape(.any, pointer: pointer)
            cut.recursive = true
            return cut
        }
        if let shape = built[target] { return shape }
        let resolved: JSONSchema
        do {
            resolved = try components.lookupOnce(schema)
        } catch {
            throw ImportError(pointer: pointer, message: "$ref '\(target)' cannot be resolved: \(error)")
        }
        let shape = try self.shape(resolved, at: targetPointer, inside: inside + [target])
        built[target] = shape
        return shape
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
