/// `faultline drift`'s report, as text for people and JSON for CI.
public enum DriftReport {
    public static func text(vendor: String, against: String, results: [DriftCheck.Result], skipped: [DriftPlan.Skipped]) -> String {
        var out = "drift: \(vendor) against \(against)\n"
        for result in results {
            let probe = result.probe
            let mark = result.failed ? "error" : (result.drifted ? "DRIFT" : "ok   ")
            out += "  \(mark) \(probe.method) \(probe.target) (\(probe.endpoint), \(probe.source)): \(result.status.map(String.init) ?? "no answer")\n"
            for difference in result.differences { out += "          \(difference)\n" }
        }
        for skip in skipped { out += "  skip  \(skip.endpoint): \(skip.reason)\n" }
        let drifted = results.filter(\.drifted).count
        let failed = results.filter(\.failed).count
        out += "\(results.count) requests: \(results.count - drifted - failed) as the file says, \(drifted) drifted, \(failed) unanswered; \(skipped.count) \(skipped.count == 1 ? "endpoint" : "endpoints") skipped\n"
        return out
    }

    public static func json(vendor: String, against: String, results: [DriftCheck.Result], skipped: [DriftPlan.Skipped]) -> JSONValue {
        .object([
            JSONMember(key: "vendor", value: .string(vendor)),
            JSONMember(key: "against", value: .string(against)),
            JSONMember(key: "drifted", value: .number(String(results.filter(\.drifted).count))),
            JSONMember(key: "unanswered", value: .number(String(results.filter(\.failed).count))),
            JSONMember(key: "checks", value: .array(results.map { result in
                .object([
                    JSONMember(key: "endpoint", value: .string(result.probe.endpoint)),
                    JSONMember(key: "source", value: .string(result.probe.source)),
                    JSONMember(key: "request", value: .string("\(result.probe.method) \(result.probe.target)")),
                    JSONMember(key: "expectedStatus", value: .number(String(result.probe.expected.status))),
                    JSONMember(key: "status", value: result.status.map { .number(String($0)) } ?? .null),
                    JSONMember(key: "outcome", value: .string(result.failed ? "unanswered" : (result.drifted ? "drift" : "ok"))),
                    JSONMember(key: "differences", value: .array(result.differences.map { .string($0) })),
                ])
            })),
            JSONMember(key: "skipped", value: .array(skipped.map { .object([JSONMember(key: "endpoint", value: .string($0.endpoint)), JSONMember(key: "reason", value: .string($0.reason))]) })),
        ])
    }
}
