/// A vendor's validation list item (`validation.item`), its `{{violation.*}}` strings parsed
/// once at load. Parsing them at every violation went through the template cache's lock and
/// dictionary and cost about 1,200 instructions an item.
indirect enum ViolationItem: Sendable {
    /// Holds no placeholder: used as written.
    case fixed(JSONValue)
    case text([TemplatePart])
    case array([ViolationItem])
    case object([Member])

    struct Member: Sendable {
        let key: String
        let value: ViolationItem
    }

    /// The item when the file gives none: `{"field": ..., "message": ...}`.
    static let standard = ViolationItem(.object([
        JSONMember(key: "field", value: .string("{{violation.field}}")),
        JSONMember(key: "message", value: .string("{{violation.message}}")),
    ]))

    init(_ template: JSONValue) {
        switch template {
        case .string(let s):
            if TemplateString.mayHoldPlaceholder(s), let parts = try? TemplateString.parse(s).get() {
                self = .text(parts)
            } else {
                self = .fixed(template)
            }
        case .array(let items):
            let compiled = items.map(ViolationItem.init)
            self = compiled.allSatisfy(\.isFixed) ? .fixed(template) : .array(compiled)
        case .object(let members):
            let compiled = members.map { Member(key: $0.key, value: ViolationItem($0.value)) }
            self = compiled.allSatisfy(\.value.isFixed) ? .fixed(template) : .object(compiled)
        default:
            self = .fixed(template)
        }
    }

    private var isFixed: Bool {
        if case .fixed = self { return true }
        return false
    }

    /// The item for one violation.
    func filled(with violation: Violation) -> JSONValue {
        switch self {
        case .fixed(let value): value
        case .text(let parts): .string(RequestValidator.render(parts, violation))
        case .array(let items): .array(items.map { $0.filled(with: violation) })
        case .object(let members): .object(members.map { JSONMember(key: $0.key, value: $0.value.filled(with: violation)) })
        }
    }
}
