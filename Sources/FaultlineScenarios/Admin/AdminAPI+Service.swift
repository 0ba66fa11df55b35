#if canImport(Glibc)
import Glibc
#endif
import FaultlineHTTP

/// The admin endpoints about the process rather than the files: reloads and metrics.
extension ScenarioService {
    /// `POST reload` reads the files again (422 with every problem when one is broken; the
    /// previous files keep serving); `GET reload` shows the last outcome.
    func reloadAnswer(post: Bool) -> LabeledResponse {
        let status = post ? reload(trigger: "admin", onlyIfChanged: true) : lastReload
        let body: JSONValue = .object([
            JSONMember(key: "reloaded", value: .bool(status.succeeded)),
            JSONMember(key: "trigger", value: .string(status.trigger)),
            JSONMember(key: "time", value: .string(Timestamps.iso8601(time_t(status.time)))),
            JSONMember(key: "vendors", value: .array(status.vendors.map { .string($0) })),
            JSONMember(key: "errors", value: .array(status.diagnostics.map { diagnostic in
                .object([
                    JSONMember(key: "file", value: .string(diagnostic.file)),
                    JSONMember(key: "path", value: .string(diagnostic.path)),
                    JSONMember(key: "message", value: .string(diagnostic.message)),
                ])
            })),
        ])
        // A failed reload is the client's files being invalid: 422, like a failed validation.
        return ScenarioEngine.json(body, status: post && !status.succeeded ? 422 : 200)
    }

    /// `GET metrics`: the transport's counts (the store the server was given), reloads and
    /// stored state, as Prometheus text.
    func metricsAnswer(engine: ScenarioEngine) -> LabeledResponse {
        let reloads = reloadCounts(vendors: engine.catalog.vendors.count)
        let state = engine.catalog.vendors.compactMap { vendor in
            engine.stateUsage(vendor: vendor.name).map { PrometheusText.StateUsage(vendor: vendor.name, bytes: $0.bytes, clients: $0.clients) }
        }.filter { $0.bytes > 0 || $0.clients > 0 }
        let text = PrometheusText.render(metricsStore.snapshot(), labels: metricsLabels, reloads: reloads, state: state)
        return LabeledResponse(status: 200, headers: ["Content-Type": PrometheusText.contentType], body: Array(text.utf8), label: "faultline:admin")
    }
}
