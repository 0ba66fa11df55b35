import FaultlineHTTP

extension ScenarioEngine {
    /// Where a request no endpoint matched goes.
    final class Forwarding {
        let upstream: Upstream
        let target: String

        init(upstream: Upstream, target: String) {
            self.upstream = upstream
            self.target = target
        }
    }
    /// A request no endpoint matched, sent to the vendor's upstream (`Options.passThrough`). It is
    /// journaled, marked proxied, when the upstream's answer (or the 502 in its place) is known.
    func forward(_ request: HTTPRequest, _ forwarding: Forwarding, facts: inout RequestFacts) -> LabeledResponse {
        let journal = self.journal
        let client = facts.client.take() ?? clientKey(request, credential: nil)
        let vendor = facts.vendor.take()
        let (method, target) = (request.method, request.target)
        let response = options.passThrough!.forward(request, target: forwarding.target, to: forwarding.upstream, tag: facts.metricsTag) { status in
            guard journal.capacity > 0 else { return }
            journal.record(JournalEntry(time: RequestJournal.now(), client: client, method: method, target: target, vendor: vendor, endpoint: nil, scenario: Self.proxiedLabel, status: status))
        }
        return LabeledResponse(response, label: Self.proxiedLabel)
    }

    /// The journal's and the access log's label of a proxied request.
    public static let proxiedLabel = "proxied"
}
