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
        var variants: [Variant]
    }

    private(set) var groups: [Group] = []

    init(_ drafts: [EndpointDraft]) {
        var index: [String: Int] = [:]
        for draft in drafts {
            for candidate in draft.errors {
                let key = candidate.name.lowercased()
                guard let at = index[key] else {
                    index[key] = groups.count
                    groups.append(Group(name: candidate.name, variants: [Variant(answer: candidate.answer, endpoints: [candidate.endpoint])]))
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

    /// The most widely documented entry with this status, and which one.
    func mostCommon(status: Int) -> (group: Int, answer: Answer)? {
        var best: (group: Int, answer: Answer, count: Int)?
        for (index, group) in groups.enumerated() {
            for variant in group.variants where variant.answer.status == status && variant.endpoints.count > (best?.count ?? 0) {
                best = (index, variant.answer, variant.endpoints.count)
            }
        }
        return best.map { ($0.group, $0.answer) }
    }

    /// Every entry of these statuses, most widely documented first.
    func entries(status: Set<Int>) -> [(group: Int, answer: Answer)] {
        var found: [(group: Int, answer: Answer, count: Int)] = []
        for (index, group) in groups.enumerated() {
            for variant in group.variants where status.contains(variant.answer.status) {
                found.append((index, variant.answer, variant.endpoints.count))
            }
        }
        return found.sorted { $0.count > $1.count }.map { ($0.group, $0.answer) }
    }

    func name(_ group: Int) -> String { groups[group].name }

    /// A trigger answers with this group's first variant on every endpoint.
    mutating func makeVendorWide(_ group: Int) {
        groups[group].variants[0].vendorWide = true
    }

    /// A new vendor-wide entry (the description documents none for a trigger); its name.
    mutating func add(_ name: String, _ answer: Answer) -> Int {
        var taken = Set(groups.map { $0.name.lowercased() })
        groups.append(Group(name: ImportContext.unique(name, in: &taken), variants: [Variant(answer: answer, endpoints: [], vendorWide: true)]))
        return groups.count - 1
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
