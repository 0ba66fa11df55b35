import FaultlineScenarios
import OpenAPIKit

/// `triggers` from the description: security schemes as `auth`, a documented 429 as the rate
/// limit's answer, the documented 400/422 as the validation answer.
struct TriggerSynthesis {
    var members: [JSONMember] = []
    /// Choices made where the description is silent, for the file's description.
    var choices: [String] = []
    var rateLimited = false

    static let fieldKeys = ["field", "param", "parameter", "path", "pointer", "property", "name", "loc", "location", "source", "attribute"]
    static let messageKeys = ["message", "msg", "detail", "description", "reason", "error", "title"]
    /// Requests per window when the description documents a 429 but no limit.
    static let defaultLimit = 600
    static let defaultWindow = 60

    mutating func auth(_ context: ImportContext, drafts: [EndpointDraft], vendor: String, catalog: inout ErrorCatalog) {
        var used: [String] = []
        for draft in drafts where !draft.isPublic {
            for scheme in draft.schemes where !used.contains(scheme) { used.append(scheme) }
        }
        var credentials: [JSONValue] = []
        for (key, either) in context.components.securitySchemes where used.contains(key.rawValue) {
            let pointer = Pointer.child("/components/securitySchemes", key.rawValue)
            guard let scheme = try? context.resolve(either, at: pointer).value else {
                context.note("security schemes that cannot be resolved (not checked)", at: pointer)
                continue
            }
            var credential: [JSONMember]?
            switch scheme.type {
            case .apiKey(let name, let location) where location == .header:
                credential = [JSONMember(key: "header", value: .string(name))]
            case .http(let kind, _) where ["bearer", "basic"].contains(kind.lowercased()):
                credential = [JSONMember(key: "header", value: .string("Authorization")), JSONMember(key: "scheme", value: .string(kind.lowercased() == "bearer" ? "Bearer" : "Basic"))]
            case .oauth2, .openIdConnect:
                credential = [JSONMember(key: "header", value: .string("Authorization")), JSONMember(key: "scheme", value: .string("Bearer"))]
            default:
                context.note("security schemes other than header API keys, HTTP bearer/basic and OAuth tokens (not checked)", at: pointer)
            }
            if let credential, !credentials.contains(.object(credential)) { credentials.append(.object(credential)) }
        }
        if used.contains(where: { name in !context.components.securitySchemes.contains { $0.key.rawValue == name } }) {
            context.note("security requirements naming no scheme in components (not checked)", at: "/security")
        }
        guard !credentials.isEmpty else { return }
        let group: ErrorCatalog.Choice
        if let found = catalog.mostCommon(status: 401) {
            group = found
        } else {
            group = catalog.add("401", Answer(status: 401, body: .object([JSONMember(key: "message", value: .string("Unauthorized"))]), pointer: "/components/securitySchemes"))
            choices.append("The description documents no 401: a missing or wrong key answers 401 {\"message\":\"Unauthorized\"}.")
        }
        catalog.makeVendorWide(group)
        let environment = "FAULTLINE_" + vendor.uppercased().replacingOccurrences(of: "-", with: "_") + "_KEYS"
        members.append(JSONMember(key: "auth", value: .object([
            JSONMember(key: "credentials", value: .array(credentials)),
            JSONMember(key: "keysFromEnvironment", value: .string(environment)),
            JSONMember(key: "missing", value: .string(catalog.name(group))),
            JSONMember(key: "invalid", value: .string(catalog.name(group))),
        ])))
        choices.append("Any non-empty key is accepted unless \(environment) lists the valid ones (comma-separated).")
    }

    mutating func rateLimits(_ drafts: [EndpointDraft], catalog: inout ErrorCatalog) {
        guard let group = catalog.mostCommon(status: 429) else { return }
        let answer = catalog.answer(group)
        catalog.makeVendorWide(group)
        rateLimited = true
        var limit: Int?
        for draft in drafts {
            for header in draft.response.headers + answer.headers where Self.rateField(header.name, status: 429) == "rate.limit" {
                if let value = Int(header.value), value > 0 { limit = limit ?? value }
            }
        }
        if limit == nil { choices.append("The description gives no limit: \(Self.defaultLimit) requests per \(Self.defaultWindow) s per client, then \(catalog.name(group)).") }
        members.append(JSONMember(key: "rateLimits", value: .object([
            JSONMember(key: "groups", value: .array([.object([
                JSONMember(key: "name", value: .string("default")),
                JSONMember(key: "limit", value: .number(String(limit ?? Self.defaultLimit))),
                JSONMember(key: "window", value: .number(String(Self.defaultWindow))),
            ])])),
            JSONMember(key: "exceeded", value: .string(catalog.name(group))),
        ])))
        catalog.transformAnswers { answer in
            Self.fillRateHeaders(&answer)
            if answer.status == 429, !answer.headers.contains(where: { $0.name.lowercased() == "retry-after" }) {
                answer.headers.append(("Retry-After", "{{rate.retryAfter|\(Self.defaultWindow)}}"))
            }
        }
    }

    /// Documented rate-limit headers filled from the limiter, their examples as fallbacks
    /// (what a named scenario shows); `Retry-After` only on a 429 (a 503's is its own).
    static func fillRateHeaders(_ answer: inout Answer) {
        answer.headers = answer.headers.map { header in
            guard let field = rateField(header.name, status: answer.status), JSONValue.isNumberLiteral(header.value) else { return header }
            return (header.name, "{{\(field)|\(header.value)}}")
        }
    }

    static func rateField(_ name: String, status: Int) -> String? {
        let name = name.lowercased()
        if name == "retry-after" { return status == 429 ? "rate.retryAfter" : nil }
        guard name.contains("ratelimit") || name.contains("rate-limit") else { return nil }
        if name.hasSuffix("remaining") { return "rate.remaining" }
        if name.hasSuffix("reset") { return "rate.reset" }
        if name.hasSuffix("limit") { return "rate.limit" }
        return nil
    }

    mutating func validation(_ drafts: [EndpointDraft], catalog: inout ErrorCatalog) {
        guard drafts.contains(where: { !$0.rules.isEmpty }) else { return }
        let candidates = catalog.entries(status: [400, 422])
        var chosen: (group: ErrorCatalog.Choice, spec: [JSONMember])?
        for group in candidates {
            if let body = catalog.answer(group).body, let spec = Self.collection(in: body, at: "") {
                chosen = (group, spec)
                break
            }
        }
        if chosen == nil, let group = candidates.first {
            chosen = (group, [JSONMember(key: "mode", value: .string("first"))])
            choices.append("The documented \(catalog.name(group)) holds no list of fields: it answers the first violation as documented.")
        }
        if chosen == nil {
            let body: JSONValue = .object([
                JSONMember(key: "message", value: .string("Validation failed")),
                JSONMember(key: "errors", value: .array([])),
            ])
            let group = catalog.add("400", Answer(status: 400, body: body, pointer: "/paths"))
            chosen = (group, Self.collection(in: body, at: "") ?? [])
            choices.append("The description documents no 400 or 422 with a body: a request that breaks a schema answers 400 {\"message\":\"Validation failed\",\"errors\":[{field, message}...]}.")
        }
        guard let (group, spec) = chosen else { return }
        catalog.makeVendorWide(group)
        members.append(JSONMember(key: "malformedJSON", value: .string(catalog.name(group))))
        members.append(JSONMember(key: "validation", value: .object(spec + [JSONMember(key: "response", value: .string(catalog.name(group)))])))
    }

    /// Where a documented validation error lists its violations: a list of `{field, message}`
    /// objects (their other members kept as documented) or a map of field to messages.
    /// An empty list takes `{field, message}` items.
    static func collection(in body: JSONValue, at path: String, depth: Int = 0) -> [JSONMember]? {
        guard depth < 3, case .object(let members) = body else { return nil }
        for member in members {
            let at = path.isEmpty ? member.key : path + "." + member.key
            guard !member.key.contains("."), !member.key.contains("[") else { continue }
            switch member.value {
            case .array(let items):
                if items.isEmpty, ["errors", "details", "violations", "fields", "invalid_params"].contains(member.key.lowercased()) {
                    return list(at: at, item: [JSONMember(key: "field", value: .string("{{violation.field}}")), JSONMember(key: "message", value: .string("{{violation.message}}"))])
                }
                guard case .object(let fields)? = items.first,
                      let field = fields.first(where: { fieldKeys.contains($0.key.lowercased()) })?.key,
                      let message = fields.first(where: { messageKeys.contains($0.key.lowercased()) && $0.key != field })?.key else { continue }
                let item = fields.map { member -> JSONMember in
                    if member.key == field { return JSONMember(key: member.key, value: .string("{{violation.field}}")) }
                    if member.key == message { return JSONMember(key: member.key, value: .string("{{violation.message}}")) }
                    return member
                }
                return list(at: at, item: item)
            case .object(let fields) where !fields.isEmpty && fields.allSatisfy({ $0.value.arrayItems?.allSatisfy { $0.stringValue != nil } ?? false }):
                return [
                    JSONMember(key: "mode", value: .string("all")),
                    JSONMember(key: "at", value: .string(at)),
                    JSONMember(key: "collection", value: .string("map")),
                ]
            case .object:
                if let found = collection(in: member.value, at: at, depth: depth + 1) { return found }
            default:
                continue
            }
        }
        return nil
    }

    private static func list(at: String, item: [JSONMember]) -> [JSONMember] {
        [
            JSONMember(key: "mode", value: .string("all")),
            JSONMember(key: "at", value: .string(at)),
            JSONMember(key: "collection", value: .string("list")),
            JSONMember(key: "item", value: .object(item)),
        ]
    }
}
