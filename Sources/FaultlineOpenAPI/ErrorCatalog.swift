import FaultlineScenarios

/// The endpoints' documented non-success answers laid out as the vendor's catalog: an answer
/// documented alike on several operations is one entry naming them (no `endpoints` when it is
/// on all of them); a name answered differently elsewhere stays with those endpoints.
struct ErrorCatalog {
    struct Variant {
        var answer: Answer
        var endpoints: [String]
        var vendorWide = false
    }

    struct Group {
        var name: String
        var status: Int
        var variants: [Variant]
    }

    private(set) var groups: [Group] = []

    init(_ drafts: [EndpointDraft]) {
        var index: [String: Int] = [:]
        for draft in drafts {
            for candidate in draft.errors {
                var name = candidate.name
                // One name, one status: a code shared by a 400 and a 500 is two entries.
                if let at = index[name.lowercased()], groups[at].status != candidate.answer.status {
                    name += "_\(candidate.answer.status)"
                }
                guard let at = index[name.lowercased()] else {
                    index[name.lowercased()] = groups.count
                    groups.append(Group(name: name, status: candidate.answer.status, variants: [Variant(answer: candidate.answer, endpoints: [candidate.endpoint])]))
                    continue
                }
                if let variant = groups[at].variants.firstIndex(where: { $0.answer == candidate.answer }) {
                    groups[at].variants[variant].endpoints.append(candidate.endpoint)
                } else {
                    groups[at].variants.append(Variant(answer: candidate.answer, endpoints: [candidate.endpoint]))
                }
            }
        }
        for group in groups.indices {
            groups[group].variants.sort { $0.endpoints.count > $1.endpoints.count }
        }
    }

    /// Which entry answers for a trigger: a group and one of its variants.
    struct Choice {
        var group: Int
        var variant: Int
    }

    func answer(_ choice: Choice) -> Answer { groups[choice.group].variants[choice.variant].answer }

    /// The most widely documented entry with this status.
    func mostCommon(status: Int) -> Choice? {
        entries(status: [status]).first
    }

    /// Every entry of these statuses, most widely documented first.
    func entries(status: Set<Int>) -> [Choice] {
        var found: [(choice: Choice, count: Int)] = []
        for (index, group) in groups.enumerated() where status.contains(group.status) {
            for (variant, entry) in group.variants.enumerated() {
                found.append((Choice(group: index, variant: variant), entry.endpoints.count))
            }
        }
        return found.enumerated().sorted { ($0.element.count, -$0.offset) > ($1.element.count, -$1.offset) }.map(\.element.choice)
    }

    func name(_ choice: Choice) -> String { groups[choice.group].name }

    /// A trigger answers with this variant on every endpoint: it becomes the group's first.
    mutating func makeVendorWide(_ choice: Choice) {
        groups[choice.group].variants.swapAt(0, choice.variant)
        groups[choice.group].variants[0].vendorWide = true
    }

    /// A new vendor-wide entry (the description documents none for a trigger); its name.
    mutating func add(_ name: String, _ answer: Answer) -> Choice {
        var taken = Set(groups.map { $0.name.lowercased() })
        groups.append(Group(name: ImportContext.unique(name, in: &taken), status: answer.status, variants: [Variant(answer: answer, endpoints: [], vendorWide: true)]))
        return Choice(group: groups.count - 1, variant: 0)
    }

    mutating func transformAnswers(_ body: (inout Answer) -> Void) {
        for group in groups.indices {
            for variant in groups[group].variants.indices { body(&groups[group].variants[variant].answer) }
        }
    }

    /// The `errors` object and, per endpoint id, the names it answers by itself (a variant
    /// that differs from the catalog's entry of that name).
    func layout(endpointCount: Int) -> (errors: JSONValue, own: [String: [(name: String, answer: Answer)]]) {
        var members: [JSONMember] = []
        var own: [String: [(name: String, answer: Answer)]] = [:]
        var taken = Set(groups.map { $0.name.lowercased() })
        for group in groups {
            let first = group.variants[0]
            members.append(JSONMember(key: group.name, value: entry(first.answer, endpoints: first.vendorWide || first.endpoints.count == endpointCount ? nil : first.endpoints)))
            for variant in group.variants.dropFirst() {
                if first.vendorWide || first.endpoints.count == endpointCount {
                    // The name is taken on every endpoint: this variant gets one of its own.
                    let name = ImportContext.unique(group.name, in: &taken)
                    members.append(JSONMember(key: name, value: entry(variant.answer, endpoints: variant.endpoints)))
                } else {
                    for endpoint in variant.endpoints { own[endpoint, default: []].append((group.name, variant.answer)) }
                }
            }
        }
        return (.object(members), own)
    }

    private func entry(_ answer: Answer, endpoints: [String]?) -> JSONValue {
        guard case .object(var members) = answer.json else { return answer.json }
        if let endpoints { members.append(JSONMember(key: "endpoints", value: .array(endpoints.map { .string($0) }))) }
        return .object(members)
    }
}
