import FaultlineHTTP
import Synchronization

/// Numbers for `ResponseNotes.tag`: one per vendor and per vendor endpoint, given out
/// once and kept across reloads, so counts taken before a reload keep their names after it.
public final class MetricsLabels: Sendable {
    public struct Label: Sendable, Equatable {
        public var vendor: String
        /// Nil for answers about the vendor but no endpoint (an unknown path, a wrong method).
        public var endpoint: String?
    }

    private struct Table {
        var tags: [String: Int32] = [:]
        var labels: [Label] = []
    }

    private let table = Mutex(Table())

    public init() {}

    func tag(vendor: String, endpoint: String?) -> Int32 {
        let key = vendor + "\u{0}" + (endpoint ?? "")
        return table.withLock { table in
            if let existing = table.tags[key] { return existing }
            let tag = Int32(table.labels.count)
            table.labels.append(Label(vendor: vendor, endpoint: endpoint))
            table.tags[key] = tag
            return tag
        }
    }

    public func label(_ tag: Int32) -> Label? {
        table.withLock { tag >= 0 && Int(tag) < $0.labels.count ? $0.labels[Int(tag)] : nil }
    }
}

/// The Prometheus text exposition format (version 0.0.4) of the server's counters.
enum PrometheusText {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    struct Reloads {
        var succeeded: Int
        var failed: Int
        var lastSucceeded: Bool
        var vendors: Int
    }

    /// Stored state per vendor, as `StateLimits` counts it.
    struct StateUsage {
        var vendor: String
        var bytes: Int
        var clients: Int
    }

    static func render(_ metrics: ServerMetrics, labels: MetricsLabels, reloads: Reloads, state: [StateUsage] = []) -> String {
        var out = ""
        func names(_ tag: Int32) -> (vendor: String, endpoint: String) {
            let label = labels.label(tag)
            return (label?.vendor ?? "", label?.endpoint ?? "")
        }

        out += "# HELP faultline_requests_total Requests answered, by vendor, endpoint, scenario served and status.\n"
        out += "# TYPE faultline_requests_total counter\n"
        let requests = metrics.requests.map { (key, count) in
            let (vendor, endpoint) = names(key.tag)
            return (vendor: vendor, endpoint: endpoint, scenario: key.label ?? "", status: key.status, count: count)
        }.sorted { ($0.vendor, $0.endpoint, $0.scenario, $0.status) < ($1.vendor, $1.endpoint, $1.scenario, $1.status) }
        for row in requests {
            out += "faultline_requests_total{vendor=\"\(escape(row.vendor))\",endpoint=\"\(escape(row.endpoint))\",scenario=\"\(escape(row.scenario))\",status=\"\(row.status)\"} \(row.count)\n"
        }

        out += "# HELP faultline_request_duration_seconds Time from a request's last byte to its response being queued, plus any delay it asked for.\n"
        out += "# TYPE faultline_request_duration_seconds histogram\n"
        let histograms = metrics.latency.map { (tag, histogram) in (names(tag), histogram) }.sorted { ($0.0.vendor, $0.0.endpoint) < ($1.0.vendor, $1.0.endpoint) }
        for ((vendor, endpoint), histogram) in histograms {
            let labels = "vendor=\"\(escape(vendor))\",endpoint=\"\(escape(endpoint))\""
            var cumulative: UInt64 = 0
            for (i, bound) in ServerMetrics.latencyBounds.enumerated() {
                cumulative += histogram.counts[i]
                out += "faultline_request_duration_seconds_bucket{\(labels),le=\"\(format(bound))\"} \(cumulative)\n"
            }
            out += "faultline_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(histogram.count)\n"
            out += "faultline_request_duration_seconds_sum{\(labels)} \(format(Double(histogram.sumNanoseconds) / 1e9))\n"
            out += "faultline_request_duration_seconds_count{\(labels)} \(histogram.count)\n"
        }

        out += "# HELP faultline_open_connections Client connections open now.\n"
        out += "# TYPE faultline_open_connections gauge\n"
        out += "faultline_open_connections \(metrics.openConnections)\n"
        out += "# HELP faultline_connections_total Client connections accepted.\n"
        out += "# TYPE faultline_connections_total counter\n"
        out += "faultline_connections_total \(metrics.acceptedConnections)\n"
        out += "# HELP faultline_reloads_total Scenario reloads, by result.\n"
        out += "# TYPE faultline_reloads_total counter\n"
        out += "faultline_reloads_total{result=\"success\"} \(reloads.succeeded)\n"
        out += "faultline_reloads_total{result=\"failure\"} \(reloads.failed)\n"
        out += "# HELP faultline_last_reload_success Whether the last reload (or the start) loaded every file.\n"
        out += "# TYPE faultline_last_reload_success gauge\n"
        out += "faultline_last_reload_success \(reloads.lastSucceeded ? 1 : 0)\n"
        out += "# HELP faultline_vendors Vendors being served.\n"
        out += "# TYPE faultline_vendors gauge\n"
        out += "faultline_vendors \(reloads.vendors)\n"
        if !state.isEmpty {
            out += "# HELP faultline_state_bytes Approximate bytes of stored items per vendor (bounded by --max-state-bytes).\n"
            out += "# TYPE faultline_state_bytes gauge\n"
            for usage in state { out += "faultline_state_bytes{vendor=\"\(escape(usage.vendor))\"} \(usage.bytes)\n" }
            out += "# HELP faultline_state_clients Clients holding stored items per vendor.\n"
            out += "# TYPE faultline_state_clients gauge\n"
            for usage in state { out += "faultline_state_clients{vendor=\"\(escape(usage.vendor))\"} \(usage.clients)\n" }
        }
        return out
    }

    /// Label values escape backslash, double quote and line feed.
    static func escape(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 0x0A }) else { return value }
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    /// Shortest decimal that reads back as the same number ("0.005", "1", "2.5").
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
