import FaultlineHTTP

/// One broken rule, with what messages and list items can say about it.
///
/// What the rule found lives in one shared box: a violation is copied into the render
/// context, its list item and the answer, and each copy of six strings was six retains and
/// six releases (callgrind).
struct Violation: Sendable {
    private final class Found: Sendable {
        let kind: ValidationKind
        let field: String
        let name: String
        let limit: String?
        let expected: String?
        let actual: String?
        let response: String?

        init(kind: ValidationKind, field: String, name: String, limit: String?, expected: String?, actual: String?, response: String?) {
            self.kind = kind
            self.field = field
            self.name = name
            self.limit = limit
            self.expected = expected
            self.actual = actual
            self.response = response
        }
    }

    private let found: Found
    var message: String = ""

    init(kind: ValidationKind, field: String, name: String, message: String = "", limit: String?, expected: String?, actual: String?, response: String?) {
        found = Found(kind: kind, field: field, name: name, limit: limit, expected: expected, actual: actual, response: response)
        self.message = message
    }

    var kind: ValidationKind { found.kind }
    /// The field as the vendor writes it: `shipment.parcels[0].weight`.
    var field: String { found.field }
    /// The field as messages name it (the rule's `name`, or by the vendor's name style).
    var name: String { found.name }
    var limit: String? { found.limit }
    var expected: String? { found.expected }
    var actual: String? { found.actual }
    /// The catalog entry the rule answers with on its own, if any.
    var response: String? { found.response }

    func value(_ field: ViolationField) -> String? {
        switch field {
        case .field: self.field
        case .name: name
        case .message: message
        case .limit: limit
        case .expected: expected
        case .actual: actual
        }
    }
}

/// An endpoint's `validate` rules, compiled: field paths split, patterns compiled.
struct RequestValidator: @unchecked Sendable {
    private enum Step: Sendable {
        case key(String)
        case each
    }

    /// A class, not a struct: the request path walks every rule, and copying a struct of a
    /// dozen optional fields out of the array retained each of them.
    private final class Rule: Sendable {
        let spec: ValidationRule
        let steps: [Step]
        let whenSteps: [Step]?
        let pattern: LinearRegex?
        let message: [TemplatePart]?
        /// The field's path as a report gives it, when it holds no `[*]`: then it reaches one
        /// value at most, found without building paths or arrays.
        let keyPath: String?
        /// How messages name the field: the rule's `name`, or, when it is one fixed field (a
        /// key path, a query or path parameter), its name by the vendor's style, worked out
        /// once rather than at every violation.
        let fixedName: String?

        init(spec: ValidationRule, steps: [Step], whenSteps: [Step]?, pattern: LinearRegex?, message: [TemplatePart]?, nameStyle: ValidationSpec.NameStyle) {
            self.spec = spec
            self.steps = steps
            self.whenSteps = whenSteps
            self.pattern = pattern
            self.message = message
            var path: String? = ""
            for step in steps {
                guard case .key(let key) = step, let joined = path else {
                    path = nil
                    break
                }
                path = joined.isEmpty ? key : joined + "." + key
            }
            keyPath = path
            let fixedField = spec.location == .body ? path : spec.field
            fixedName = spec.name ?? fixedField.map { RequestValidator.name(for: $0, style: nameStyle) }
        }
    }

    private let rules: [Rule]
    private let nameStyle: ValidationSpec.NameStyle
    private let messages: Messages

    var isEmpty: Bool { rules.isEmpty }

    init(rules: [ValidationRule], nameStyle: ValidationSpec.NameStyle, messages: Messages) {
        var patterns: [String: LinearRegex] = [:]
        self.rules = rules.map { rule in
            var compiled: LinearRegex?
            if let pattern = rule.pattern {
                // Building a Regex parses its pattern: do it once per distinct pattern.
                compiled = patterns[pattern] ?? (try? LinearRegex(pattern))
                patterns[pattern] = compiled
            }
            return Rule(spec: rule, steps: Self.steps(rule.field), whenSteps: rule.when.map { Self.steps($0.field) }, pattern: compiled,
                 message: rule.message.map { (try? TemplateString.parse($0).get()) ?? [.literal($0)] }, nameStyle: nameStyle)
        }
        self.nameStyle = nameStyle
        self.messages = messages
    }

    static let empty = RequestValidator(rules: [], nameStyle: .path, messages: .none)

    /// `a.b[*].c` → key a, key b, each, key c.
    private static func steps(_ field: String) -> [Step] {
        var steps: [Step] = []
        for part in field.split(separator: ".") {
            var rest = part
            while let bracket = rest.firstIndex(of: "[") {
                if bracket > rest.startIndex { steps.append(.key(String(rest[..<bracket]))) }
                steps.append(.each)
                rest = rest[rest.index(after: bracket)...].drop(while: { $0 != "]" }).dropFirst()
            }
            if !rest.isEmpty { steps.append(.key(String(rest))) }
        }
        return steps
    }

    /// At most this many violations are reported: a body of 500k bad array items must not
    /// turn into 500k messages.
    static let maxViolations = 100

    /// Automaton steps one request's patterns may take together (`LinearRegex`): about 0.1 s
    /// of an event loop at worst (bench/hostile.py). A value whose match would need more
    /// counts as not matching. ASCII text mostly runs on cached states and spends almost none
    /// of it: a bundled pattern checks a value of several megabytes within it.
    static let patternBudget = 4_000_000

    /// Every violation, in rule order (up to `maxViolations`).
    func check(_ request: HTTPRequest, body: JSONValue?, pathParameters: [(name: String, value: Substring)]) -> [Violation] {
        var found: [Violation] = []
        var budget = Self.patternBudget
        for rule in rules where found.count < Self.maxViolations {
            if let when = rule.spec.when, let whenSteps = rule.whenSteps {
                // The condition's field must hold one of the listed values (as text).
                let values = Self.values(whenSteps, in: body, path: "")
                guard values.contains(where: { _, value in value.map { when.values.contains($0.stringValue ?? $0.serializedString) } ?? false }) else { continue }
            }
            switch rule.spec.location {
            case .body:
                if let path = rule.keyPath {
                    // The common rule: one value or none, as `values` would find it.
                    switch Self.value(rule.steps, in: body) {
                    case .none: break
                    case .missing:
                        if let violation = check(rule, field: path, value: nil, budget: &budget) { append(violation, of: rule, to: &found) }
                    case .found(let value):
                        if let violation = check(rule, field: path, value: .json(value), budget: &budget) { append(violation, of: rule, to: &found) }
                    }
                    continue
                }
                for (field, value) in Self.values(rule.steps, in: body, path: "") where found.count < Self.maxViolations {
                    if let violation = check(rule, field: field, value: value.map { .json($0) }, budget: &budget) { append(violation, of: rule, to: &found) }
                }
            case .query:
                let value = request.query.flatMap { QueryString.first(rule.spec.field, in: $0) }
                if let violation = check(rule, field: rule.spec.field, value: value.map { .text($0) }, budget: &budget) { append(violation, of: rule, to: &found) }
            case .path:
                let value = pathParameters.first { $0.name == rule.spec.field }.map { PercentDecoding.decode($0.value, plusAsSpace: false) }
                if let violation = check(rule, field: rule.spec.field, value: value.map { .text($0) }, budget: &budget) { append(violation, of: rule, to: &found) }
            }
        }
        return found
    }

    /// Adds a violation with its message rendered (the rule's own template, or the vendor's
    /// for its kind).
    private func append(_ violation: consuming Violation, of rule: Rule, to found: inout [Violation]) {
        violation.message = Self.render(rule.message ?? messages[violation.kind], violation)
        found.append(violation)
    }

    private enum Reached {
        /// A parent is missing: the field is its rule's business, not this one's.
        case none
        /// The last key is missing.
        case missing
        case found(JSONValue)
    }

    /// `values` for a path of keys only.
    private static func value(_ steps: [Step], in value: JSONValue?) -> Reached {
        var current = value
        for index in steps.indices {
            guard case .key(let key) = steps[index] else { return .none }
            guard case .object = current, let next = current?[key] else { return index == steps.count - 1 ? .missing : .none }
            current = next
        }
        return current.map { .found($0) } ?? .missing
    }

    /// The values a field path reaches, with their concrete paths (`[*]` expanded). A missing
    /// last key yields nil there, so `required` can report it.
    private static func values(_ steps: [Step], in value: JSONValue?, path: String) -> [(String, JSONValue?)] {
        guard let step = steps.first else { return [(path, value)] }
        let rest = Array(steps.dropFirst())
        switch step {
        case .key(let key):
            let child = path.isEmpty ? key : path + "." + key
            // Only the last key can be missing: a missing parent is its own rule's business.
            guard case .object = value, let next = value?[key] else { return rest.isEmpty ? [(child, nil)] : [] }
            return values(rest, in: next, path: child)
        case .each:
            guard case .array(let items) = value else { return [] }
            return items.enumerated().flatMap { index, item in values(rest, in: item, path: "\(path)[\(index)]") }
        }
    }

    private enum Input {
        case json(JSONValue)
        /// From the query or the path: always text, converted for numeric rules.
        case text(String)
    }

    private func check(_ rule: Rule, field: String, value: Input?, budget: inout Int) -> Violation? {
        let spec = rule.spec
        func violation(_ kind: ValidationKind, limit: String? = nil, expected: String? = nil, actual: String? = nil) -> Violation {
            Violation(kind: kind, field: field, name: rule.fixedName ?? Self.name(for: field, style: nameStyle), limit: limit, expected: expected, actual: actual, response: spec.response)
        }
        guard let value, !Self.isNull(value) else {
            return spec.required ? violation(.required) : nil
        }

        let (number, text, wrongType) = Self.read(value, as: spec.type)
        if let wrongType { return violation(.type, expected: wrongType.expected, actual: wrongType.actual) }

        if let number {
            if let limit = spec.minimum, number < limit { return violation(.minimum, limit: Self.format(limit), actual: Self.format(number)) }
            if let limit = spec.maximum, number > limit { return violation(.maximum, limit: Self.format(limit), actual: Self.format(number)) }
            if let limit = spec.exclusiveMinimum, number <= limit { return violation(.exclusiveMinimum, limit: Self.format(limit), actual: Self.format(number)) }
            if let limit = spec.exclusiveMaximum, number >= limit { return violation(.exclusiveMaximum, limit: Self.format(limit), actual: Self.format(number)) }
        }
        if let text {
            // Counted only for a length rule: counting characters walks grapheme clusters
            // (~200 instructions for a short value, callgrind), and most rules have none.
            if spec.minLength != nil || spec.maxLength != nil {
                let length = text.count
                if let limit = spec.minLength, length < limit { return violation(.minLength, limit: String(limit), actual: String(length)) }
                if let limit = spec.maxLength, length > limit { return violation(.maxLength, limit: String(limit), actual: String(length)) }
            }
            if let pattern = rule.pattern, !pattern.matches(text, budget: &budget) { return violation(.pattern, expected: spec.pattern, actual: text) }
            if let format = spec.format, !Self.matches(text, format) { return violation(.format, expected: Self.describe(format), actual: text) }
        } else if spec.format != nil || spec.pattern != nil || spec.minLength != nil || spec.maxLength != nil, spec.type == nil {
            return violation(.type, expected: "string")
        }
        if let allowed = spec.enumValues {
            let actual: String
            switch value {
            case .json(let json): actual = json.stringValue ?? json.serializedString
            case .text(let s): actual = s
            }
            if !allowed.contains(actual) { return violation(.enum, expected: allowed.joined(separator: ", "), actual: actual) }
        }
        return nil
    }

    /// The value as a number and as text for the range and string rules, or how it fails
    /// the declared type. Query and path values are text, read as the type asks.
    private static func read(_ value: Input, as type: ValidationRule.ValueType?) -> (number: Double?, text: String?, wrongType: (expected: String, actual: String?)?) {
        switch value {
        case .json(let json):
            if let type, !matches(json, type) { return (nil, nil, (type.rawValue, nil)) }
            switch json {
            case .number(let literal): return (Double(literal), nil, nil)
            case .string(let s): return (nil, s, nil)
            default: return (nil, nil, nil)
            }
        case .text(let s):
            switch type {
            case .integer:
                guard let n = Int(s) else { return (nil, nil, (ValidationRule.ValueType.integer.rawValue, s)) }
                return (Double(n), s, nil)
            case .number:
                guard let n = Double(s), n.isFinite else { return (nil, nil, (ValidationRule.ValueType.number.rawValue, s)) }
                return (n, s, nil)
            case .boolean:
                return s == "true" || s == "false" ? (nil, s, nil) : (nil, nil, (ValidationRule.ValueType.boolean.rawValue, s))
            case .object, .array:
                return (nil, nil, (type!.rawValue, s))
            case .string, nil:
                return (nil, s, nil)
            }
        }
    }

    private static func isNull(_ value: Input) -> Bool {
        if case .json(.null) = value { return true }
        return false
    }

    private static func matches(_ json: JSONValue, _ type: ValidationRule.ValueType) -> Bool {
        switch (json, type) {
        case (.string, .string), (.bool, .boolean), (.object, .object), (.array, .array), (.number, .number): true
        case (.number(let literal), .integer): Int(literal) != nil || (Double(literal).map { $0 == $0.rounded() } ?? false)
        default: false
        }
    }

    static func matches(_ text: String, _ format: ValidationRule.Format) -> Bool {
        let bytes = Array(text.utf8)
        func isHex(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102) }
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        switch format {
        case .uuid:
            guard bytes.count == 36 else { return false }
            return bytes.enumerated().allSatisfy { i, b in [8, 13, 18, 23].contains(i) ? b == UInt8(ascii: "-") : isHex(b) }
        case .country:
            return CountryCodes.alpha2.contains(text)
        case .email:
            let parts = text.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return false }
            return !text.contains(where: { $0 == " " })
        case .dateTime:
            // YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM) (RFC 3339 §5.6).
            guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
                  bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
                  [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18].allSatisfy({ isDigit(bytes[$0]) }) else { return false }
            var i = 19
            if bytes[i] == UInt8(ascii: ".") {
                i += 1
                let start = i
                while i < bytes.count, isDigit(bytes[i]) { i += 1 }
                if i == start { return false }
            }
            guard i < bytes.count else { return false }
            if bytes[i] == UInt8(ascii: "Z") || bytes[i] == UInt8(ascii: "z") { return i == bytes.count - 1 }
            guard bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-"), bytes.count - i == 6, bytes[i + 3] == UInt8(ascii: ":"),
                  [1, 2, 4, 5].allSatisfy({ isDigit(bytes[i + $0]) }) else { return false }
            return true
        }
    }

    private static func describe(_ format: ValidationRule.Format) -> String {
        switch format {
        case .uuid: "UUID"
        case .country: "ISO 3166-1 alpha-2 country code"
        case .email: "email address"
        case .dateTime: "ISO 8601 date-time"
        }
    }

    /// `100` rather than `100.0`.
    private static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }

}

enum CountryCodes {
    /// ISO 3166-1 alpha-2 codes (officially assigned).
    static let alpha2: Set<String> = Set("""
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR \
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO \
    JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR \
    MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO \
    RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV \
    TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split(separator: " ").map { String($0.trimmingWhitespace()) }.filter { !$0.isEmpty })
}
