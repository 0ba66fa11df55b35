/// Retry verdicts as people read them: text for a terminal and JUnit XML for CI. Built from the
/// verdicts themselves (the testing library) or from `GET /__faultline/verdicts` (the CLI).
public struct VerdictReport: Sendable {
    public typealias Severity = RetryJudge.Finding.Severity

    public struct Item: Sendable, Equatable {
        public var rule: String
        public var severity: Severity
        public var vendor: String
        public var endpoint: String
        public var message: String
        public var source: String?
        /// One line per request: `08:00:00.123Z GET /generic/api/v1/users → 429 RATE_LIMIT_EXCEEDED (wait 60 s)`.
        public var evidence: [String]
    }

    public var clients: [(client: String, items: [Item])]

    public init(_ verdicts: [RetryVerdict]) {
        clients = verdicts.map { verdict in
            (verdict.client, verdict.findings.map { finding in
                Item(rule: finding.rule.rawValue, severity: finding.severity, vendor: finding.vendor, endpoint: finding.endpoint, message: finding.message, source: finding.source,
                     evidence: finding.evidence.map { Self.line(at: Timestamps.iso8601(milliseconds: $0.at), request: $0.request, status: $0.status, scenario: $0.scenario, wait: $0.wait) })
            })
        }
    }

    /// From the JSON of `GET /__faultline/verdicts`.
    public init(json bytes: [UInt8]) throws {
        let json: JSONValue
        do { json = try JSONParser.parse(bytes) } catch { throw ReportError(description: "the verdicts are not JSON: \(error)") }
        guard case .array(let clients)? = json["clients"] else { throw ReportError(description: "the answer has no 'clients' list") }
        self.clients = clients.map { client in
            guard case .array(let findings)? = client["findings"] else { return (client["client"]?.stringValue ?? "?", []) }
            return (client["client"]?.stringValue ?? "?", findings.map { finding in
                var evidence: [String] = []
                if case .array(let requests)? = finding["evidence"] {
                    evidence = requests.map { Self.line(at: $0["at"]?.stringValue ?? "?", request: $0["request"]?.stringValue ?? "?", status: Int($0["status"]?.numberValue ?? 0), scenario: $0["scenario"]?.stringValue, wait: $0["wait"]?.numberValue) }
                }
                return Item(rule: finding["rule"]?.stringValue ?? "?", severity: Severity(rawValue: finding["severity"]?.stringValue ?? "") ?? .error,
                            vendor: finding["vendor"]?.stringValue ?? "?", endpoint: finding["endpoint"]?.stringValue ?? "?",
                            message: finding["message"]?.stringValue ?? "", source: finding["source"]?.stringValue, evidence: evidence)
            })
        }
    }

    public struct ReportError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Whether any finding is at least as bad as `severity`.
    public func fails(at severity: Severity) -> Bool {
        clients.contains { $0.items.contains { $0.severity >= severity && $0.severity != .ok } }
    }

    /// One block per client: its outcome, then each finding with its evidence and the vendor's words.
    public func text() -> String {
        guard !clients.isEmpty else { return "No client has met a failure yet: nothing to judge.\n" }
        var out = ""
        for (client, items) in clients {
            let errors = items.count { $0.severity == .error }, warnings = items.count { $0.severity == .warning }
            out += "client \(client): \(errors > 0 ? "FAIL" : warnings > 0 ? "WARN" : "PASS") (\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s"))\n"
            for item in items {
                out += "  \(item.severity.rawValue.padding(7)) \(item.rule)  \(item.vendor).\(item.endpoint): \(item.message)\n"
                for line in item.evidence { out += "          \(line)\n" }
                if let source = item.source { out += "          vendor: \(source)\n" }
            }
        }
        return out
    }

    /// A test suite per client, a test case per finding; a finding at `failOn` or worse fails.
    public func junit(failOn: Severity = .error) -> String {
        var suites = ""
        var total = 0, failed = 0
        for (client, items) in clients {
            var cases = ""
            var failures = 0
            for item in items {
                let name = Self.escape("\(item.rule): \(item.message)")
                let details = Self.escape((item.evidence + (item.source.map { ["vendor: \($0)"] } ?? [])).joined(separator: "\n"))
                cases += "    <testcase classname=\"\(Self.escape("\(item.vendor).\(item.endpoint)"))\" name=\"\(name)\">\n"
                if item.severity != .ok && item.severity >= failOn {
                    failures += 1
                    cases += "      <failure type=\"\(item.severity.rawValue)\" message=\"\(name)\">\(details)</failure>\n"
                } else {
                    cases += "      <system-out>\(item.severity.rawValue): \(details)</system-out>\n"
                }
                cases += "    </testcase>\n"
            }
            total += items.count
            failed += failures
            suites += "  <testsuite name=\"retries of client \(Self.escape(client))\" tests=\"\(items.count)\" failures=\"\(failures)\">\n\(cases)  </testsuite>\n"
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"faultline verdicts\" tests=\"\(total)\" failures=\"\(failed)\">\n\(suites)</testsuites>\n"
    }

    static func line(at: String, request: String, status: Int, scenario: String?, wait: Double?) -> String {
        var line = "\(at) \(request) → \(status)"
        if let scenario { line += " \(scenario)" }
        if let wait { line += " (wait \(PrometheusText.format(wait)) s)" }
        return line
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
