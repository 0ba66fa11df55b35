import FaultlineScenarios

/// The scenario file itself: endpoints, the catalog laid out, triggers, and a description that
/// says where it came from, what was chosen and what could not be mapped.
struct VendorAssembly {
    let context: ImportContext
    let vendor: String
    var drafts: [EndpointDraft]
    private(set) var choices: [String] = []
    private(set) var namedResponses = 0

    init(context: ImportContext, vendor: String, drafts: [EndpointDraft]) {
        self.context = context
        self.vendor = vendor
        self.drafts = drafts
    }

    mutating func file(title: String, version: String, openAPI: String, source: String, basePaths: [String], basePathParameters: [(name: String, values: [String])]) -> JSONValue {
        var catalog = ErrorCatalog(drafts)
        var triggers = TriggerSynthesis()
        triggers.auth(context, drafts: drafts, vendor: vendor, catalog: &catalog)
        triggers.rateLimits(drafts, catalog: &catalog)
        triggers.validation(drafts, catalog: &catalog)
        choices = triggers.choices
        if triggers.rateLimited {
            for index in drafts.indices {
                TriggerSynthesis.fillRateHeaders(&drafts[index].response)
                for scenario in drafts[index].scenarios.indices { TriggerSynthesis.fillRateHeaders(&drafts[index].scenarios[scenario].answer) }
            }
        }
        let (errors, own) = catalog.layout(endpointCount: drafts.count)

        var members: [JSONMember] = [
            JSONMember(key: "vendor", value: .string(vendor)),
            JSONMember(key: "title", value: .string(title)),
            JSONMember(key: "description", value: .string(description(source: source, version: version, openAPI: openAPI))),
            JSONMember(key: "basePaths", value: .array(basePaths.map { .string($0) })),
        ]
        if !basePathParameters.isEmpty {
            members.append(JSONMember(key: "basePathParameters", value: .object(basePathParameters.map { JSONMember(key: $0.name, value: .array($0.values.map { .string($0) })) })))
        }
        if !triggers.members.isEmpty { members.append(JSONMember(key: "triggers", value: .object(triggers.members))) }
        members.append(JSONMember(key: "endpoints", value: .array(drafts.map { endpoint($0, own: own[$0.id] ?? [], errors: errors) })))
        if let entries = errors.objectMembers, !entries.isEmpty {
            members.append(JSONMember(key: "errors", value: errors))
            namedResponses += entries.count
        }
        return .object(members)
    }

    private mutating func endpoint(_ draft: EndpointDraft, own: [(name: String, answer: Answer)], errors: JSONValue) -> JSONValue {
        var members: [JSONMember] = [
            JSONMember(key: "id", value: .string(draft.id)),
            JSONMember(key: "method", value: .string(draft.method)),
            JSONMember(key: "path", value: .string(draft.path)),
        ]
        if let summary = draft.summary, !summary.isEmpty { members.append(JSONMember(key: "description", value: .string(summary))) }
        if draft.isPublic { members.append(JSONMember(key: "public", value: .bool(true))) }
        members.append(JSONMember(key: "response", value: draft.response.json))
        // Names the catalog gives this endpoint are taken: its own scenarios avoid them.
        var taken: Set<String> = ["default"]
        for entry in errors.objectMembers ?? [] {
            let listed = entry.value["endpoints"]?.arrayItems?.compactMap(\.stringValue)
            if listed == nil || listed!.contains(draft.id) { taken.insert(entry.key.lowercased()) }
        }
        var scenarios: [JSONMember] = []
        for (name, answer) in draft.scenarios + own {
            scenarios.append(JSONMember(key: ImportContext.unique(name, in: &taken), value: answer.json))
        }
        if !scenarios.isEmpty {
            members.append(JSONMember(key: "scenarios", value: .object(scenarios)))
            namedResponses += scenarios.count
        }
        if !draft.rules.isEmpty { members.append(JSONMember(key: "validate", value: .array(draft.rules))) }
        return .object(members)
    }

    private func description(source: String, version: String, openAPI: String) -> String {
        var text = "Imported by `faultline import openapi` from \(source) (API version \(version), OpenAPI \(openAPI)). Success bodies are the documented examples, else minimal bodies generated from the schemas; each documented error is a named scenario."
        if !choices.isEmpty { text += " Chosen where the description is silent: " + choices.joined(separator: " ") }
        let notes = context.shapes.notes
        if !notes.isEmpty { text += " Not mapped: " + notes.lines.joined(separator: "; ") + "." }
        return text
    }
}
