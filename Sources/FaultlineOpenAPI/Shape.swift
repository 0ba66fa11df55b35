import FaultlineScenarios

/// What import needs of a JSON Schema, references resolved and `allOf` merged: the rules to
/// check a request against, and enough to write an example body. A class: shapes nest, and a
/// recursive schema is cut where it repeats rather than copied.
final class Shape {
    enum Kind: String {
        case object, array, string, integer, number, boolean, null, any
    }

    var kind: Kind
    /// Where the schema is written (a JSON pointer), for notes.
    var pointer: String
    var nullable = false
    var readOnly = false
    var writeOnly = false
    var properties: [(name: String, shape: Shape)] = []
    var required: [String] = []
    var items: Shape?
    var minItems = 0
    var minimum: Double?
    var maximum: Double?
    var exclusiveMinimum: Double?
    var exclusiveMaximum: Double?
    var minLength: Int?
    var maxLength: Int?
    var pattern: String?
    var format: String?
    var enumValues: [JSONValue]?
    /// The schema's own example (first of `examples`, else `example`), else its `default`.
    var example: JSONValue?
    /// `oneOf`/`anyOf` alternatives that could not be narrowed to one: the first writes the
    /// example, and no rules are made below this point.
    var alternatives: [Shape] = []
    /// The schema repeats an enclosing one (a tree of nodes): nothing is generated below it.
    var recursive = false

    init(_ kind: Kind, pointer: String) {
        self.kind = kind
        self.pointer = pointer
    }

    var isUndecided: Bool { !alternatives.isEmpty }

    /// No type and no constraint: `{}` or a `required` name without a property.
    var isUnconstrained: Bool {
        kind == .any && !isUndecided && !recursive && example == nil && enumValues == nil && properties.isEmpty && items == nil
    }

    /// `allOf`: properties and requirements of every part, constraints of the first that has them.
    func merge(_ other: Shape) {
        if kind == .any { kind = other.kind }
        nullable = nullable && other.nullable
        for (name, shape) in other.properties {
            if let index = properties.firstIndex(where: { $0.name == name }) {
                if !shape.isUnconstrained { properties[index].shape = shape }
            } else {
                properties.append((name, shape))
            }
        }
        for name in other.required where !required.contains(name) { required.append(name) }
        items = items ?? other.items
        minItems = max(minItems, other.minItems)
        minimum = minimum ?? other.minimum
        maximum = maximum ?? other.maximum
        exclusiveMinimum = exclusiveMinimum ?? other.exclusiveMinimum
        exclusiveMaximum = exclusiveMaximum ?? other.exclusiveMaximum
        minLength = minLength ?? other.minLength
        maxLength = maxLength ?? other.maxLength
        pattern = pattern ?? other.pattern
        format = format ?? other.format
        enumValues = enumValues ?? other.enumValues
        example = example ?? other.example
        if alternatives.isEmpty { alternatives = other.alternatives }
        recursive = recursive || other.recursive
        readOnly = readOnly || other.readOnly
        writeOnly = writeOnly || other.writeOnly
    }
}
