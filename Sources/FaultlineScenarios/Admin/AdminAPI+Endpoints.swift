#if canImport(Glibc)
import Glibc
#endif
import FaultlineHTTP

/// The admin endpoints that are about the files' emulation (the engine): health, the catalog,
/// reset, the journal, sticky scenarios, stored state. `AdminAPI` routes to them.
extension ScenarioEngine {
    /// The 401 for an admin request without the admin token, when one is set.
    /// An empty token protects nothing and is treated as none (the command line refuses one).
    func adminRefusal(_ request: HTTPRequest, queryToken: String? = nil) -> LabeledResponse? {
        guard let token = options.adminToken, !token.isEmpty else { return nil }
        // A browser opening the live page can send neither header: its address carries the token.
        if let queryToken, Self.sameSecret(queryToken, token) { return nil }
        // RFC 9110 §11.1: the scheme is case-insensitive, and one or more spaces follow it.
        let bearer = request.headers["Authorization"].flatMap(Self.bearerToken).map { Self.sameSecret($0, token) } ?? false
        guard bearer || request.headers["X-Faultline-Admin-Token"].map({ Self.sameSecret($0, token) }) == true else {
            return FaultlineResponses.error(status: 401, code: "admin-unauthorized", message: "The admin API needs the admin token (Authorization: Bearer <token> or X-Faultline-Admin-Token).")
        }
        return nil
    }

    /// The token of an `Authorization: Bearer TOKEN` value, whatever the scheme's case.
    static func bearerToken(_ value: String) -> Substring? {
        let utf8 = value.utf8
        guard utf8.count > 7, HTTPHeaders.equalsIgnoringCase(utf8.prefix(6), "bearer".utf8), utf8.dropFirst(6).first == UInt8(ascii: " ") else { return nil }
        let token = Substring(utf8.dropFirst(6).drop { $0 == UInt8(ascii: " ") })
        return token.isEmpty ? nil : token
    }

    /// Compares in time that does not depend on where the two differ.
    static func sameSecret<S: StringProtocol>(_ given: S, _ secret: String) -> Bool {
        let a = Array(given.utf8), b = Array(secret.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    /// Bytes of stored items a vendor keeps: in all, for `client`, and how many clients hold
    /// any (approximate, as `StateLimits` counts them). Nil for a vendor not served.
    public func stateUsage(vendor: String, client: String? = nil) -> (bytes: Int, clientBytes: Int, clients: Int)? {
        guard let compiled = vendors.first(where: { $0.spec.name == vendor }) else { return nil }
        let usage = compiled.store.usage(client: client.map(ClientName.stored))
        return (usage.total, usage.client, usage.clients)
    }

    /// Rate-limit buckets, sequence positions, sticky scenarios, stored items and retry verdicts, of every
    /// client or of one (`POST /__faultline/reset`); the files' declared items come back. A
    /// reset of every client also puts the emulation's clock back on real time, running.
    public func reset(client: String? = nil) {
        if client == nil { clock.reset() }
        rateLimiter.reset(key: client)
        sequences.reset(client: client)
        stickyScenarios.reset(client: client)
        for vendor in vendors { vendor.store.reset(client: client) }
        judge.reset(client: client)
    }

    func healthAnswer() -> LabeledResponse {
        Self.json(.object([
            JSONMember(key: "status", value: .string("ok")),
            JSONMember(key: "vendors", value: .array(catalog.vendors.map { .string($0.name) })),
        ]))
    }

    func catalogAnswer(_ call: AdminAPI.Call) -> LabeledResponse {
        Self.json(catalogListing(bodies: call.parameter("bodies") == "true"))
    }

    /// The catalog; with `bodies`, each scenario's body as written and `rendered` as a request
    /// with no parameters, body or key would get it from this engine (its settings and clock;
    /// no state steps run, no serial number taken).
    func catalogListing(bodies: Bool) -> JSONValue {
        CatalogListing.json(catalog, singleVendor: options.singleVendor != nil, bodies: bodies, render: bodies ? { name, path, position, index in
            guard let vendor = self.vendors.first(where: { $0.spec.name == name }), position < vendor.spec.endpoints.count else { return nil }
            let endpoint = vendor.endpoints[position]
            guard endpoint.responses.indices.contains(index) else { return nil }
            var context = RenderContext(request: HTTPRequest(method: endpoint.method, target: path), pathParameters: [], scenarioParameter: self.options.scenarioParameter)
            context.settings = vendor.settings
            context.emulationClock = self.clock
            context.preview = true
            return String(decoding: endpoint.responses[index].render(&context).response.body, as: UTF8.self)
        } : nil)
    }

    func resetAnswer(_ call: AdminAPI.Call) -> LabeledResponse {
        let client = (call.parameter("client") ?? Self.bodyField(call.request, "client")).map(ClientName.stored)
        reset(client: client)
        return Self.json(.object([
            JSONMember(key: "reset", value: .string(client == nil ? "all" : "client")),
            JSONMember(key: "client", value: client.map { .string($0) } ?? .null),
        ]))
    }

    func journalAnswer(_ call: AdminAPI.Call) -> LabeledResponse {
        let limit = call.parameter("limit").flatMap { Int($0) }.map { max(0, $0) } ?? journal.capacity
        // `answers=true`: each request's answer as given, for those answered while someone
        // asked (this asks for the next `watchSeconds`).
        let answers = call.parameter("answers") == "true"
        if answers { journal.watch(from: RequestJournal.now(), seconds: Self.watchSeconds) }
        let entries = journal.numberedEntries(client: call.parameter("client").map(ClientName.stored), pathPrefix: call.parameter("path"), limit: limit)
        let kept = answers ? journal.capturedAnswers() : [:]
        return Self.json(.object([
            JSONMember(key: "capacity", value: .number(String(journal.capacity))),
            JSONMember(key: "seed", value: .number(String(random.seed))),
            JSONMember(key: "requests", value: .array(entries.map { Self.json($0.entry, sequence: $0.sequence, answer: kept[$0.sequence]) })),
        ]))
    }

    func clearJournalAnswer() -> LabeledResponse {
        Self.json(.object([JSONMember(key: "cleared", value: .number(String(journal.clear())))]))
    }

    func stickyAnswer(_ call: AdminAPI.Call) -> LabeledResponse {
        guard let body = try? JSONParser.parse(call.request.body), let name = body["scenario"]?.stringValue, !name.isEmpty else {
            return FaultlineResponses.error(status: 400, code: "invalid-admin-request", message: #"PUT scenario takes a JSON body {"scenario": NAME, "client"?: CLIENT, "vendor"?: VENDOR}."#)
        }
        let client = body["client"]?.stringValue.map(ClientName.stored)
        let vendor = body["vendor"]?.stringValue
        if let vendor, !catalog.vendors.contains(where: { $0.name == vendor }) {
            return FaultlineResponses.error(status: 400, code: "invalid-admin-request", message: "No vendor named '\(vendor)'.")
        }
        guard name.utf8.count <= StickyScenarios.maxNameLength else {
            return FaultlineResponses.error(status: 400, code: "invalid-admin-request", message: "The scenario name is longer than \(StickyScenarios.maxNameLength) bytes.")
        }
        guard stickyScenarios.set(name, client: client, vendor: vendor) else {
            return FaultlineResponses.error(status: 507, code: "state-limit", message: "\(StickyScenarios.capacity) sticky scenarios are set already; DELETE \(options.adminPrefix)/scenario or POST \(options.adminPrefix)/reset frees them.")
        }
        return Self.json(.object([
            JSONMember(key: "scenario", value: .string(name)),
            JSONMember(key: "client", value: client.map { .string($0) } ?? .null),
            JSONMember(key: "vendor", value: vendor.map { .string($0) } ?? .null),
        ]))
    }

    func clearStickyAnswer(_ call: AdminAPI.Call) -> LabeledResponse {
        stickyScenarios.clear(client: call.parameter("client").map(ClientName.stored), vendor: call.parameter("vendor"))
        return Self.json(.object([JSONMember(key: "cleared", value: .bool(true))]))
    }

    func stateAnswer(_ call: AdminAPI.Call) -> LabeledResponse {
        let client = call.parameter("client").map(ClientName.stored) ?? "anonymous"
        let only = call.parameter("vendor")
        let listed = vendors.filter { !$0.store.isEmpty && (only == nil || $0.spec.name == only) }
        return Self.json(.object([
            JSONMember(key: "client", value: .string(client)),
            JSONMember(key: "vendors", value: .object(listed.map { vendor in
                JSONMember(key: vendor.spec.name, value: .object(vendor.store.snapshot(client: client).map { JSONMember(key: $0.collection, value: .array($0.items)) }))
            })),
        ]))
    }

    /// `POST state`: stores an item as a client's own (or replaces the one holding its keys).
    func storeItem(_ request: HTTPRequest) -> LabeledResponse {
        let usage = #"POST state takes a JSON body {"vendor": V, "collection": C, "client"?: CLIENT, "item": {...}}."#
        guard let body = try? JSONParser.parse(request.body), let vendorName = body["vendor"]?.stringValue,
              let collectionName = body["collection"]?.stringValue, let item = body["item"], case .object = item else {
            return FaultlineResponses.error(status: 400, code: "invalid-admin-request", message: usage)
        }
        guard let vendor = vendors.first(where: { $0.spec.name == vendorName }) else {
            return FaultlineResponses.error(status: 400, code: "invalid-admin-request", message: "No vendor named '\(vendorName)'.")
        }
        guard let c = vendor.store.names.firstIndex(of: collectionName) else {
            return FaultlineResponses.error(status: 400, code: "invalid-admin-request", message: "Vendor '\(vendorName)' has no collection '\(collectionName)' (collections: \(vendor.store.names.isEmpty ? "none" : vendor.store.names.joined(separator: ", "))).")
        }
        // "" would be the file's own items of a shared collection: an empty client is "anonymous".
        let client = ClientName.stored(body["client"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "anonymous")
        let outcome: Result<Bool, ResourceStore.Refusal> = vendor.store.transaction(client: client) { state in
            switch state.insert(c, item, client: client) {
            case .success((_, let conflict?)):
                if let refusal = state.replace(conflict, with: item) { return .failure(refusal) }
                return .success(true)
            case .success:
                return .success(false)
            case .failure(let refusal):
                return .failure(refusal)
            }
        }
        let replaced: Bool
        switch outcome {
        case .success(let wasReplaced): replaced = wasReplaced
        case .failure(let refusal): return FaultlineResponses.stateLimit(refusal)
        }
        return Self.json(.object([
            JSONMember(key: "stored", value: .string(replaced ? "replaced" : "created")),
            JSONMember(key: "client", value: .string(client)),
            JSONMember(key: "item", value: item),
        ]), status: replaced ? 200 : 201)
    }

    static func json(_ value: JSONValue, status: Int = 200) -> LabeledResponse {
        LabeledResponse(status: status, headers: ["Content-Type": "application/json"], body: value.serialized, label: "faultline:admin")
    }

    private static func bodyField(_ request: HTTPRequest, _ name: String) -> String? {
        guard !request.body.isEmpty, let body = try? JSONParser.parse(request.body) else { return nil }
        return body[name]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// How long a request for answers keeps them being kept: a page polling each second keeps
    /// it on; a closed page turns it off within this.
    static let watchSeconds = 10.0

    private static func json(_ answer: CapturedAnswer) -> JSONValue {
        var members = [
            JSONMember(key: "status", value: .number(String(answer.status))),
            JSONMember(key: "headers", value: .object(answer.headers.map { JSONMember(key: $0.name, value: .string($0.value)) })),
            JSONMember(key: "body", value: .string(String(decoding: answer.body, as: UTF8.self))),
        ]
        if answer.truncated { members.append(JSONMember(key: "truncated", value: .bool(true))) }
        return .object(members)
    }

    private static func json(_ entry: JournalEntry, sequence: Int, answer: CapturedAnswer?) -> JSONValue {
        var members = [
            JSONMember(key: "sequence", value: .number(String(sequence))),
            JSONMember(key: "time", value: .string(Timestamps.iso8601(milliseconds: entry.time))),
            JSONMember(key: "client", value: .string(entry.client)),
            JSONMember(key: "method", value: .string(entry.method)),
            JSONMember(key: "path", value: .string(String(entry.path))),
            JSONMember(key: "vendor", value: entry.vendor.map { .string($0) } ?? .null),
            JSONMember(key: "endpoint", value: entry.endpoint.map { .string($0) } ?? .null),
            JSONMember(key: "scenario", value: entry.scenario.map { .string($0) } ?? .null),
            JSONMember(key: "status", value: .number(String(entry.status))),
        ]
        if entry.proxied { members.append(JSONMember(key: "proxied", value: .bool(true))) }
        if let answer { members.append(JSONMember(key: "answer", value: json(answer))) }
        return .object(members)
    }
}
