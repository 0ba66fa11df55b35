import FaultlineScenarios
import OpenAPIKit

/// The description being imported: OpenAPIKit's model for its structure, the raw tree for its
/// literal values, and the notes gathered so far.
final class ImportContext {
    let document: OpenAPI.Document
    let raw: RawDocument
    let shapes: ShapeBuilder

    init(document: OpenAPI.Document, raw: RawDocument) {
        self.document = document
        self.raw = raw
        shapes = ShapeBuilder(components: document.components, raw: raw, notes: ImportNotes())
    }

    var components: OpenAPI.Components { document.components }

    func note(_ what: String, at pointer: String) {
        shapes.notes.add(what, at: pointer)
    }

    /// An object or the one its `$ref` names (followed through chains of references), with
    /// the pointer it is written at. Only references to components are followed.
    func resolve<T: ComponentDictionaryLocatable>(_ either: Either<OpenAPI.Reference<T>, T>, at pointer: String) throws(ImportError) -> (value: T, pointer: String) {
        var current = either
        var at = pointer
        var seen: Set<String> = []
        while case .a(let reference) = current {
            let target = reference.jsonReference.absoluteString
            guard case .internal(.component) = reference.jsonReference, let targetPointer = Pointer.of(reference: target) else {
                throw ImportError(pointer: at, message: "$ref '\(target)' is not a reference to a component in this description (#/components/…); import follows those only (bundle a description of several files first, e.g. `redocly bundle`)")
            }
            guard seen.insert(target).inserted else {
                throw ImportError(pointer: at, message: "$ref '\(target)' refers back to itself")
            }
            do {
                current = try components.lookupOnce(reference)
            } catch {
                throw ImportError(pointer: at, message: "$ref '\(target)' cannot be resolved: \(error)")
            }
            at = targetPointer
        }
        guard case .b(let value) = current else { throw ImportError(pointer: at, message: "unreachable") }
        return (value, at)
    }

    /// A parameter's or header's schema, references followed.
    func shape(of schema: Either<OpenAPI.Reference<JSONSchema>, JSONSchema>, at pointer: String) throws(ImportError) -> Shape {
        switch schema {
        case .a(let reference): try shapes.shape(.reference(reference.jsonReference), at: pointer)
        case .b(let schema): try shapes.shape(schema, at: pointer)
        }
    }

    /// The first value of a parameter's, header's or media type's `example` / `examples`.
    func example(at pointer: String) throws(ImportError) -> JSONValue? {
        if let value = raw.value(at: pointer + "/example") { return value }
        guard let examples = raw.value(at: pointer + "/examples")?.objectMembers, let first = examples.first else { return nil }
        return try exampleValue(first.value, at: Pointer.child(pointer, "examples", first.key))
    }

    /// An Example Object's value (`value`, or 3.2's `dataValue`), its `$ref` followed.
    func exampleValue(_ object: JSONValue, at pointer: String) throws(ImportError) -> JSONValue? {
        var object = object
        var seen: Set<String> = []
        while case .string(let reference)? = object["$ref"] {
            guard let target = Pointer.of(reference: reference) else {
                note("examples in other files (not read)", at: pointer)
                return nil
            }
            guard seen.insert(target).inserted, let next = raw.value(at: target) else {
                throw ImportError(pointer: pointer, message: "$ref '\(reference)' cannot be resolved: no such example")
            }
            object = next
        }
        if object["externalValue"] != nil, object["value"] == nil {
            note("examples given only by externalValue (not fetched)", at: pointer)
        }
        return object["value"] ?? object["dataValue"]
    }

    /// A header value as text: strings as they are, numbers and booleans as written.
    static func headerText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text
        case .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        default: nil
        }
    }
}
