import FaultlineHTTP

extension ScenarioEngine {
    /// A request no endpoint matched, sent to the vendor's upstream (`Options.passThrough`). It is
    /// journaled, marked proxied, when the upstream's answer (or the 502 in its place) is known.
    func forward(_ request: HTTPRequest, to upstream: Upstream, facts: inout RequestFacts) -> LabeledResponse {
        let journal = self.journal
        let client = facts.client.take() ?? clientKey(request, credential: nil)
        let vendor = facts.vendor.take()
        let (method, target) = (request.method, request.target)
        let response = options.passThrough!.forward(request, target: facts.forwardTarget, to: upstream, tag: facts.metricsTag) { status in
            guard journal.capacity > 0 else { return }
            journal.record(JournalEntry(time: RequestJournal.now(), client: client, method: method, target: target, vendor: vendor, endpoint: nil, scenario: "proxied", status: status, proxied: true))
        }
        return LabeledResponse(response, label: "proxied")
    }
}
