/// Decoding of the stored-resource parts of a vendor file: `collections`, `settings`,
/// `sequences`, and the `state` steps of endpoints and scenarios.
extension SpecDecoder {
    mutating func decodeCollections(_ value: JSONValue, at path: String) -> [CollectionSpec] {
        guard case .object(let entries) = value else {
            report(path, "expected an object of collection name to {keys, capacity?, shared?, items?}")
            return []
        }
        var collections: [CollectionSpec] = []
        for entry in entries {
            let entryPath = JSONPath.child(path, entry.key)
            guard let members = object(entry.value, at: entryPath, allowed: ["description", "keys", "capacity", "shared", "items"], required: ["keys"]) else { continue }
            _ = string(members, "description", at: entryPath)
            var keys: [[String]] = []
            let keysPath = JSONPath.child(entryPath, "keys")
            if case .array(let items)? = members.value(of: "keys"), !items.isEmpty {
                for (i, item) in items.enumerated() {
                    let fields: [String]? = switch item {
                    case .string(let s): [s]
                    case .array(let parts) where !parts.isEmpty && parts.allSatisfy({ $0.stringValue != nil }): parts.compactMap(\.stringValue)
                    default: nil
                    }
                    if let fields, fields.allSatisfy({ !$0.isEmpty }) { keys.append(fields) } else { report(JSONPath.index(keysPath, i), "expected a field name or a non-empty array of field names") }
                }
            } else {
                report(keysPath, "expected a non-empty array of keys, each a field name or an array of field names")
            }
            var capacity = CollectionSpec.defaultCapacity
            if let value = members.value(of: "capacity") {
                if case .number(let text) = value, let n = Int(text), n > 0, n <= 1_000_000 { capacity = n } else { report(JSONPath.child(entryPath, "capacity"), "expected a whole number from 1 to 1000000") }
            }
            var items: [JSONValue] = []
            if let value = members.value(of: "items") {
                if case .array(let list) = value {
                    for (i, item) in list.enumerated() {
                        if case .object = item { items.append(item) } else { report(JSONPath.index(JSONPath.child(entryPath, "items"), i), "expected an object") }
                    }
                } else {
                    report(JSONPath.child(entryPath, "items"), "expected an array of objects")
                }
            }
            collections.append(CollectionSpec(name: entry.key, keys: keys, capacity: capacity, shared: bool(members, "shared", at: entryPath) ?? false, items: items, jsonPath: entryPath))
        }
        return collections
    }

    mutating func decodeSettings(_ value: JSONValue, at path: String) -> [(name: String, value: JSONValue)] {
        guard case .object(let entries) = value else {
            report(path, "expected an object of setting name to a string, number or boolean")
            return []
        }
        var settings: [(name: String, value: JSONValue)] = []
        for entry in entries {
            switch entry.value {
            case .string, .number, .bool: settings.append((entry.key, entry.value))
            default: report(JSONPath.child(path, entry.key), "expected a string, number or boolean")
            }
        }
        return settings
    }

    mutating func decodeSequences(_ value: JSONValue, at path: String) -> [(name: String, steps: String)] {
        guard case .object(let entries) = value else {
            report(path, "expected an object of sequence name to steps (\"500,500,default\" or [\"500\", \"500\", \"default\"])")
            return []
        }
        var sequences: [(name: String, steps: String)] = []
        for entry in entries {
            let entryPath = JSONPath.child(path, entry.key)
            switch entry.value {
            case .string(let text): sequences.append((entry.key, text))
            case .array(let items) where !items.isEmpty && items.allSatisfy({ $0.stringValue != nil }):
                sequences.append((entry.key, items.compactMap(\.stringValue).joined(separator: ",")))
            default: report(entryPath, "expected steps as \"500,500,default\" or [\"500\", \"500\", \"default\"]")
            }
        }
        return sequences
    }

    mutating func decodeState(_ value: JSONValue, at path: String) -> [StateStep] {
        guard case .array(let items) = value else {
            report(path, "expected an array of steps (find, when, create, set, add, delete, list, forEach)")
            return []
        }
        var steps: [StateStep] = []
        for (i, item) in items.enumerated() {
            let stepPath = JSONPath.index(path, i)
            if let op = decodeStep(item, at: stepPath) { steps.append(StateStep(op: op, jsonPath: stepPath)) }
        }
        return steps
    }

    private static let verbs = ["find", "when", "create", "set", "add", "delete", "list", "forEach"]

    private mutating func decodeStep(_ value: JSONValue, at path: String) -> StateOp? {
        guard case .object(let members) = value else {
            report(path, "expected a step object")
            return nil
        }
        let verbs = members.map(\.key).filter { Self.verbs.contains($0) }
        guard verbs.count == 1, let verb = verbs.first else {
            report(path, verbs.isEmpty ? "a step needs one of \(Self.verbs.joined(separator: ", "))" : "a step has one verb, found \(verbs.joined(separator: " and "))")
            return nil
        }
        let verbValue = members.first { $0.key == verb }!.value
        switch verb {
        case "find":
            guard let fields = object(value, at: path, allowed: ["find", "where", "found", "missing", "foreign", "optional"], required: ["where"]) else { return nil }
            return .find(collection: collectionName(verbValue, at: JSONPath.child(path, verb)), where: fieldTemplates(fields, "where", at: path),
                         found: responseRef(fields, "found", at: path), missing: responseRef(fields, "missing", at: path),
                         foreign: responseRef(fields, "foreign", at: path), optional: bool(fields, "optional", at: path) ?? false)
        case "when":
            return decodeWhen(value, verbValue, at: path)
        case "create":
            // `object` has reported a missing `item` already; the step is dropped.
            guard let fields = object(value, at: path, allowed: ["create", "item", "conflict"], required: ["item"]),
                  let item = fields.value(of: "item") else { return nil }
            guard case .object = item else {
                report(JSONPath.child(path, "item"), "expected the item as an object")
                return nil
            }
            return .create(collection: collectionName(verbValue, at: JSONPath.child(path, verb)), item: item, conflict: responseRef(fields, "conflict", at: path))
        case "set", "add", "delete":
            guard object(value, at: path, allowed: [verb], required: []) != nil else { return nil }
            return decodeChange(verb, verbValue, at: path)
        case "list":
            guard let fields = object(value, at: path, allowed: ["list", "where", "limit", "page"], required: []) else { return nil }
            return .list(collection: collectionName(verbValue, at: JSONPath.child(path, verb)), where: fieldTemplates(fields, "where", at: path),
                         limit: fields.first { $0.key == "limit" }?.value, page: fields.first { $0.key == "page" }?.value)
        default:
            guard let fields = object(value, at: path, allowed: ["forEach", "do"], required: ["do"]),
                  let nested = fields.value(of: "do") else { return nil }
            guard case .string = verbValue else {
                report(JSONPath.child(path, "forEach"), "expected a template giving an array, e.g. \"{{body.items}}\"")
                return nil
            }
            return .forEach(verbValue, decodeState(nested, at: JSONPath.child(path, "do")))
        }
    }

    /// `{"when": VALUE, "<comparison>": OPERAND, "response": NAME}`.
    private mutating func decodeWhen(_ value: JSONValue, _ verbValue: JSONValue, at path: String) -> StateOp? {
        let comparisons = Comparison.allCases.map(\.rawValue)
        guard let fields = object(value, at: path, allowed: ["when", "response"] + comparisons, required: ["response"]) else { return nil }
        let used = fields.filter { comparisons.contains($0.key) }
        guard used.count == 1, let comparison = Comparison(rawValue: used[0].key) else {
            report(path, "a when step needs exactly one of \(comparisons.joined(separator: ", "))")
            return nil
        }
        guard let response = responseRef(fields, "response", at: path) else { return nil }
        return .when(value: verbValue, comparison: comparison, operand: used[0].value, response: response)
    }

    /// `set`, `add` and `delete`: changes to the item found or created before.
    private mutating func decodeChange(_ verb: String, _ verbValue: JSONValue, at path: String) -> StateOp? {
        switch (verb, verbValue) {
        case ("set", .object):
            return .set(verbValue)
        case ("add", .object(let entries)) where !entries.isEmpty:
            return .add(entries.map { ($0.key, $0.value) })
        case ("delete", .bool(true)):
            return .delete
        case ("set", _):
            report(JSONPath.child(path, "set"), "expected an object of field to new value")
        case ("add", _):
            report(JSONPath.child(path, "add"), "expected an object of field to a number (or a template giving one)")
        default:
            report(JSONPath.child(path, "delete"), "expected true (the step deletes the item found or created before it)")
        }
        return nil
    }

    private mutating func collectionName(_ value: JSONValue, at path: String) -> String {
        guard case .string(let name) = value, !name.isEmpty else {
            report(path, "expected a collection name")
            return ""
        }
        return name
    }

    private mutating func fieldTemplates(_ members: [JSONMember], _ key: String, at path: String) -> [(field: String, value: JSONValue)] {
        guard let value = members.value(of: key) else { return [] }
        guard case .object(let entries) = value, !entries.isEmpty else {
            report(JSONPath.child(path, key), "expected an object of field to value")
            return []
        }
        return entries.map { ($0.key, $0.value) }
    }

    private mutating func responseRef(_ members: [JSONMember], _ key: String, at path: String) -> ResponseRef? {
        guard let value = members.value(of: key) else { return nil }
        let refPath = JSONPath.child(path, key)
        switch value {
        case .string(let name):
            return ResponseRef(name: name, itemAt: nil, jsonPath: refPath)
        case .object:
            guard let fields = object(value, at: refPath, allowed: ["response", "itemAt"], required: ["response"]) else { return nil }
            return ResponseRef(name: string(fields, "response", at: refPath) ?? "", itemAt: string(fields, "itemAt", at: refPath), jsonPath: refPath)
        default:
            report(refPath, "expected a scenario name or {response, itemAt}")
            return nil
        }
    }
}
