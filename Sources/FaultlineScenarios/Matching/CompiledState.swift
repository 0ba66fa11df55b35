/// A JSON value with placeholders, rendered to a value (not bytes): the items state steps
/// store and the values they compare.
indirect enum CompiledValue: Sendable {
    case literal(JSONValue)
    /// A string that is one placeholder: its value keeps its JSON type.
    case placeholder(Placeholder)
    /// A string mixing text and placeholders.
    case text(CompiledTemplate)
    case array([CompiledValue])
    case object([(key: String, value: CompiledValue)])

    init(_ value: JSONValue) {
        switch value {
        case .string(let s) where TemplateString.mayHoldPlaceholder(s):
            let parts = (try? TemplateString.parse(s).get()) ?? [.literal(s)]
            if parts.count == 1, case .placeholder(let p) = parts[0] {
                self = .placeholder(p)
            } else {
                self = .text(.text(s))
            }
        case .array(let items) where items.contains(where: \.holdsPlaceholder):
            self = .array(items.map(CompiledValue.init))
        case .object(let members) where members.contains(where: { $0.value.holdsPlaceholder }):
            self = .object(members.map { ($0.key, CompiledValue($0.value)) })
        default:
            self = .literal(value)
        }
    }

    /// The value; nil when it is one placeholder with no value and no fallback.
    func render(_ context: inout RenderContext) -> JSONValue? {
        switch self {
        case .literal(let value):
            return value
        case .placeholder(let p):
            switch context.resolve(p) {
            case .json(let value):
                return value
            case .integer(let n):
                return p.source.isNumeric || p.fallbackKind == .number ? .number(String(n)) : .string(String(n))
            case .text(let s):
                let kind = p.fallbackKind
                if (p.source.isNumeric || kind == .number), JSONValue.isNumberLiteral(s) { return .number(s) }
                if kind == .bool, s == "true" || s == "false" { return .bool(s == "true") }
                return .string(s)
            case .missing:
                guard let fallback = p.fallback else { return nil }
                switch p.fallbackKind {
                case .string: return .string(fallback)
                case .number: return .number(fallback)
                case .bool: return .bool(fallback == "true")
                case .null: return .null
                }
            }
        case .text(let template):
            var out: [UInt8] = []
            template.render(&context, into: &out)
            return .string(String(decoding: out, as: UTF8.self))
        case .array(let items):
            return .array(items.map { $0.render(&context) ?? .null })
        case .object(let members):
            return .object(members.map { JSONMember(key: $0.key, value: $0.value.render(&context) ?? .null) })
        }
    }
}

extension JSONValue {
    var holdsPlaceholder: Bool {
        switch self {
        case .string(let s): TemplateString.mayHoldPlaceholder(s)
        case .array(let items): items.contains(where: \.holdsPlaceholder)
        case .object(let members): members.contains { $0.value.holdsPlaceholder }
        default: false
        }
    }
}

/// Which response a step answers with: an index into the endpoint's responses, or that
/// response with the item put into its body.
struct CompiledAnswer: Sendable {
    let index: Int
    let variant: CompiledResponse?
}

indirect enum CompiledStep: Sendable {
    /// `values` in the key's field order; nil stands for the client.
    case find(collection: Int, key: Int, values: [CompiledValue?], found: CompiledAnswer?, missing: CompiledAnswer?, foreign: CompiledAnswer?, optional: Bool)
    case when(CompiledValue, Comparison, CompiledValue, CompiledAnswer)
    case create(collection: Int, item: CompiledValue, conflict: CompiledAnswer?)
    case set([(field: String, value: CompiledValue)])
    case add([(field: String, value: CompiledValue)])
    case delete
    case list(collection: Int, filters: [(field: String, value: CompiledValue)], limit: CompiledValue?, page: CompiledValue?)
    case forEach(CompiledValue, [CompiledStep])
}

/// Runs an endpoint's steps against the vendor's store inside one transaction.
struct StateRunner {
    let client: String
    private var bound: ResourceStore.Handle?
    /// Set when the store's limits refused a write: the steps stop and Faultline answers 507.
    private(set) var refusal: ResourceStore.Refusal?

    init(client: String) {
        self.client = client
    }

    /// Runs the steps of response `index`, then those of the response a step answered with
    /// (a courier failure that stores its failed label), and returns the final answer.
    mutating func run(_ endpoint: CompiledEndpoint, from index: Int, _ state: inout ResourceStore.State, _ context: inout RenderContext) -> CompiledAnswer {
        var current = CompiledAnswer(index: index, variant: nil)
        // Most runs end at the first answer: the responses visited after the first are kept in
        // an array made only then (a set made per request cost ~500 instructions).
        var visited: [Int] = []
        while refusal == nil, let answer = run(endpoint.steps[current.index], &state, &context) {
            current = answer
            guard !endpoint.steps[answer.index].isEmpty, answer.index != index, !visited.contains(answer.index) else { break }
            visited.append(answer.index)
        }
        return current
    }

    private mutating func run(_ steps: [CompiledStep], _ state: inout ResourceStore.State, _ context: inout RenderContext) -> CompiledAnswer? {
        for step in steps {
            if refusal != nil { return nil }
            switch step {
            case .find(let c, let k, let values, let found, let missing, let foreign, let optional):
                if let answer = find(c, k, values, found: found, missing: missing, foreign: foreign, optional: optional, &state, &context) { return answer }
            case .when(let left, let comparison, let right, let answer):
                if Self.holds(left.render(&context), comparison, right.render(&context)) { return answer }
            case .create(let c, let template, let conflict):
                if let answer = create(c, template, conflict: conflict, &state, &context) { return answer }
            case .set(let fields):
                update(&state, &context) { item, context in
                    fields.reduce(item) { $0.setting($1.field, to: $1.value.render(&context) ?? .null) }
                }
            case .add(let fields):
                update(&state, &context) { item, context in
                    fields.reduce(item) { partial, field in
                        guard let amount = field.value.render(&context) else { return partial }
                        let sum = (partial[field.field] ?? .number("0")).adding(amount)
                        return sum.map { partial.setting(field.field, to: $0) } ?? partial
                    }
                }
            case .delete:
                if let bound { state.remove(bound) }
            case .list(let c, let filters, let limitValue, let pageValue):
                list(c, filters, limit: limitValue, page: pageValue, &state, &context)
            case .forEach(let source, let nested):
                guard case .array(let elements)? = source.render(&context) else { continue }
                for element in elements {
                    context.each = element
                    // The answer may name the element (`{{each.quantity}}`), so it stays bound.
                    if let answer = run(nested, &state, &context) { return answer }
                }
                context.each = nil
            }
        }
        return nil
    }

    /// Binds the item the key finds. Answers `found`, `missing` or `foreign` (another
    /// client's item) when the step names one; nil goes on to the next step.
    private mutating func find(_ c: Int, _ k: Int, _ values: [CompiledValue?], found: CompiledAnswer?, missing: CompiledAnswer?, foreign: CompiledAnswer?, optional: Bool, _ state: inout ResourceStore.State, _ context: inout RenderContext) -> CompiledAnswer? {
        var parts: [String] = []
        for value in values {
            guard let value else { parts.append(client); continue }
            guard let rendered = value.render(&context), rendered != .null else {
                // A key the request does not carry: an optional find is skipped.
                return optional ? nil : missing
            }
            parts.append(rendered.keyText)
        }
        if let handle = state.find(c, key: k, text: CompositeKey.join(parts), client: client), let record = state.record(handle) {
            if !record.owner.isEmpty, record.owner != client {
                if let foreign { return foreign }
            } else {
                bound = handle
                context.item = record.value
                return found
            }
        }
        return missing
    }

    /// Stores the rendered item and binds it; on a key conflict binds the existing one (unless
    /// it is another client's) and answers `conflict`. Nil with `refusal` set when the limits
    /// leave no room.
    private mutating func create(_ c: Int, _ template: CompiledValue, conflict: CompiledAnswer?, _ state: inout ResourceStore.State, _ context: inout RenderContext) -> CompiledAnswer? {
        guard let item = template.render(&context) else { return nil }
        let created: ResourceStore.Handle?
        let existing: ResourceStore.Handle?
        switch state.insert(c, item, client: client) {
        case .success(let outcome): (created, existing) = outcome
        case .failure(let refused):
            refusal = refused
            return nil
        }
        guard let existing else {
            bound = created
            context.item = item
            return nil
        }
        // Another client's item in a shared collection is neither shown nor bound: later steps
        // must not change what belongs to someone else.
        let record = state.record(existing)
        if let record, !record.owner.isEmpty, record.owner != client {
            bound = nil
            context.item = nil
        } else {
            bound = existing
            context.item = record?.value
        }
        return conflict
    }

    /// One page of the client's items that pass the filters, for `{{items}}` and `list.*`.
    private func list(_ c: Int, _ filters: [(field: String, value: CompiledValue)], limit limitValue: CompiledValue?, page pageValue: CompiledValue?, _ state: inout ResourceStore.State, _ context: inout RenderContext) {
        var wanted: [(field: String, text: String)] = []
        for filter in filters {
            if let value = filter.value.render(&context), value != .null { wanted.append((filter.field, value.keyText)) }
        }
        let all = state.list(c, client: client, filters: wanted)
        // A page or limit past any list (page=9223372036854775807) is an empty page, not a trap.
        let limit = limitValue.flatMap { $0.render(&context)?.numberValue?.clampedInt(1...Int.max) } ?? max(all.count, 1)
        let page = pageValue.flatMap { $0.render(&context)?.numberValue?.clampedInt(1...Int.max) } ?? 1
        let skipped = (page - 1).multipliedReportingOverflow(by: limit)
        let start = skipped.overflow ? all.count : min(all.count, skipped.partialValue)
        let end = start + min(all.count - start, limit)
        context.items = Array(all[start..<end])
        context.listCounts = (all.count, page, limit)
    }

    private mutating func update(_ state: inout ResourceStore.State, _ context: inout RenderContext, _ change: (JSONValue, inout RenderContext) -> JSONValue) {
        guard let bound, let record = state.record(bound) else { return }
        let updated = change(record.value, &context)
        if let refused = state.replace(bound, with: updated) {
            refusal = refused
            return
        }
        context.item = updated
    }

    /// Numbers (or numeric strings) compare as numbers; anything else by its text. A missing
    /// value only ever satisfies `notEquals`.
    static func holds(_ a: JSONValue?, _ comparison: Comparison, _ b: JSONValue?) -> Bool {
        guard let a, let b else { return comparison == .notEquals && (a != nil || b != nil) }
        if let x = a.numberValue, let y = b.numberValue { return compare(x, comparison, y) }
        return compare(a.keyText, comparison, b.keyText)
    }

    private static func compare<T: Comparable>(_ x: T, _ comparison: Comparison, _ y: T) -> Bool {
        switch comparison {
        case .equals: x == y
        case .notEquals: x != y
        case .lessThan: x < y
        case .lessThanOrEqual: x <= y
        case .greaterThan: x > y
        case .greaterThanOrEqual: x >= y
        }
    }
}
