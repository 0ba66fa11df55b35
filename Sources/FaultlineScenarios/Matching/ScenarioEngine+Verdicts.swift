import FaultlineHTTP

/// Retry verdicts: each answered vendor request handed to the judge, and the admin endpoint
/// that reports what it found.
extension ScenarioEngine {
    /// Called after the answer is made, for a request that reached an endpoint.
    func judge(_ request: HTTPRequest, _ response: LabeledResponse, _ facts: RequestFacts) {
        let retry = vendors[facts.vendorIndex].retry
        let path = facts.path
        let (identity, key) = retry.identify(request, path: path, endpoint: facts.endpointIndex)
        let now = clock.now()
        let broken = response.delivery?.fault != nil
        let failed = broken || response.status >= 400
        // The scenario's name is only needed to judge a failure; a success keeps its label.
        let scenario = failed ? response.label.map(Self.scenarioName) : response.label
        // A success is only ever followed up when it was slow: then a repeat is a retry.
        let (retryable, source) = failed ? retry.classify(status: response.status, scenario: scenario, broken: broken) : (true, nil)
        // Only a wait that can matter is read: a retryable answer's, or a 429's (a run of them).
        let wait = failed && (retryable || response.status == 429) ? retry.announcedWait(response.response, wall: now.wall) : nil
        judge.observe(RetryJudge.Observation(
            client: facts.client ?? clientKey(request, credential: nil), vendor: retry, endpoint: facts.endpointIndex,
            method: request.method, path: path, identity: identity, key: key,
            answer: RetryJudge.Answer(status: response.status, scenario: scenario, broken: broken, retryable: retryable, source: source,
                                      wait: wait, held: response.delivery?.delay ?? 0),
            now: now.monotonic, wall: now.wall))
    }
}

/// One client's verdict: what the judge found in its retries.
public struct RetryVerdict: Sendable {
    public var client: String
    public var findings: [RetryJudge.Finding]

    public var errors: Int { findings.count { $0.severity == .error } }
    public var warnings: Int { findings.count { $0.severity == .warning } }
    /// `fail` with an error, `warn` with a warning, `pass` otherwise.
    public var outcome: String { errors > 0 ? "fail" : warnings > 0 ? "warn" : "pass" }
}

extension ScenarioEngine {
    /// The scenario behind a log label: `4003 (validation)` → `4003`.
    ///
    /// On the label's bytes: the generic `lastIndex(of:)` over its UTF-8 view and a
    /// `Substring` cost about 900 instructions for every failure judged.
    static func scenarioName(_ label: String) -> String {
        var label = label
        let name = label.withUTF8 { bytes -> String? in
            guard bytes.last == UInt8(ascii: ")") else { return nil }
            var space = bytes.count - 1
            while space > 0, bytes[space - 1] != UInt8(ascii: " ") { space -= 1 }
            guard space > 0 else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[..<(space - 1)]), as: UTF8.self)
        }
        return name ?? label
    }

    /// Every judged client's verdict (or one's), in the order they were first seen.
    public func verdicts(client: String? = nil) -> (verdicts: [RetryVerdict], untracked: Int) {
        let report = judge.report(client: client.map(ClientName.stored))
        return (report.clients.map { RetryVerdict(client: $0.name, findings: $0.findings) }, report.untracked)
    }

    /// `GET /__faultline/verdicts[?client=C]`
    func verdictsAnswer(_ call: AdminAPI.Call) -> LabeledResponse {
        let (verdicts, untracked) = self.verdicts(client: call.parameter("client"))
        return Self.json(.object([
            JSONMember(key: "verdict", value: .string(verdicts.contains { $0.errors > 0 } ? "fail" : verdicts.contains { $0.warnings > 0 } ? "warn" : "pass")),
            JSONMember(key: "clients", value: .array(verdicts.map(Self.json(_:)))),
            JSONMember(key: "untrackedClients", value: .number(String(untracked))),
        ]))
    }

    private static func json(_ verdict: RetryVerdict) -> JSONValue {
        .object([
            JSONMember(key: "client", value: .string(verdict.client)),
            JSONMember(key: "verdict", value: .string(verdict.outcome)),
            JSONMember(key: "errors", value: .number(String(verdict.errors))),
            JSONMember(key: "warnings", value: .number(String(verdict.warnings))),
            JSONMember(key: "findings", value: .array(verdict.findings.map(Self.json(_:)))),
        ])
    }

    private static func json(_ finding: RetryJudge.Finding) -> JSONValue {
        .object([
            JSONMember(key: "rule", value: .string(finding.rule.rawValue)),
            JSONMember(key: "severity", value: .string(finding.severity.rawValue)),
            JSONMember(key: "vendor", value: .string(finding.vendor)),
            JSONMember(key: "endpoint", value: .string(finding.endpoint)),
            JSONMember(key: "message", value: .string(finding.message)),
            JSONMember(key: "source", value: finding.source.map { .string($0) } ?? .null),
            JSONMember(key: "evidence", value: .array(finding.evidence.map { evidence in
                var members = [
                    JSONMember(key: "at", value: .string(Timestamps.iso8601(milliseconds: evidence.at))),
                    JSONMember(key: "request", value: .string(evidence.request)),
                    JSONMember(key: "status", value: .number(String(evidence.status))),
                ]
                if let scenario = evidence.scenario { members.append(JSONMember(key: "scenario", value: .string(scenario))) }
                if let wait = evidence.wait { members.append(JSONMember(key: "wait", value: .number(PrometheusText.format(wait)))) }
                return .object(members)
            })),
        ])
    }
}
