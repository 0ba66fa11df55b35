import Synchronization

/// Judges how each client retries, from what Faultline served it and what it sent next: the
/// vendor's `retry` rules held against every retry (`GET /__faultline/verdicts`). The work per
/// request is constant: a success with no failure open anywhere costs one atomic load, and any
/// other request one lock and two table lookups. State is per client, bounded like the other
/// per-client tables.
public final class RetryJudge: Sendable {
    /// One answered request, as the judge needs it.
    struct Observation {
        var client: String
        var vendor: CompiledRetry
        var endpoint: Int
        var method: String
        var path: Substring
        /// The request with any idempotency key left out: two attempts of one request match.
        var identity: Int
        var key: String?
        /// What Faultline served.
        var answer: Answer
        /// Emulation time: monotonic seconds for intervals, wall seconds to show.
        var now: Double
        var wall: Double

        var failed: Bool { answer.failed }
        /// The request as a finding shows it; made only where one is kept.
        var evidence: Evidence {
            Evidence(at: wall, method: method, path: path, status: answer.status, scenario: answer.scenario, wait: answer.failed ? answer.wait : nil)
        }
        /// Whether what comes next may be a retry: after a failure, or after a slow answer to
        /// an operation with an idempotency key (a client that timed out sends it again).
        var opensChain: Bool { answer.failed || (answer.held > 0 && vendor.keys[endpoint] != nil) }
    }

    /// What went wrong (or right) with one client's retries.
    public struct Finding: Sendable, Equatable {
        public enum Severity: String, Sendable, Comparable {
            case ok, warning, error
            private var rank: Int { self == .ok ? 0 : self == .warning ? 1 : 2 }
            public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
        }

        public var rule: Rule
        public var severity: Severity { rule.severity }
        public var vendor: String
        public var endpoint: String
        public var message: String
        /// The vendor's words the rule comes from.
        public var source: String?
        public var evidence: [Evidence]
    }

    /// A request of the evidence, at emulation time (wall seconds).
    public struct Evidence: Sendable, Equatable {
        public var at: Double
        var method: String
        /// A slice of the request's target: kept as it came, joined only for a report.
        var path: Substring
        public var request: String { "\(method) \(path)" }
        public var status: Int
        public var scenario: String?
        public var wait: Double?
    }

    let capacity: Int
    private let state: Mutex<State>
    /// Failures not yet followed up, over all clients: zero lets a success skip the lock.
    private let open = Atomic<Int>(0)

    /// `clients`: how many clients are judged at once; past it a new client is not judged (the
    /// report says how many were turned away).
    public init(clients: Int = 10_000) {
        self.capacity = max(1, clients)
        self.state = Mutex(State())
    }

    struct State {
        var clients: [String: ClientRecord] = [:]
        var order: [String] = []
        var untracked = 0
        /// The client judged last: the next request is most often its.
        var recent: ClientRecord?
    }

    /// Findings kept per client (the oldest give way) and requests kept as one finding's evidence.
    static let findingsPerClient = 200
    static let evidencePerChain = 8
    static let chainsPerClient = 256

    /// Whether a request needs judging at all: failures and slow answers always, successes
    /// only while some failure is open (it may be the retry that ends one).
    @inline(__always)
    func wants(status: Int, broken: Bool, held: Double) -> Bool {
        broken || status >= 400 || held > 0 || open.load(ordering: .relaxed) > 0
    }

    func observe(_ observation: Observation) {
        state.withLock { state in
            let record: ClientRecord
            if let recent = state.recent, recent.name == observation.client {
                record = recent
            } else if let known = state.clients[observation.client] {
                record = known
            } else {
                guard observation.opensChain else { return }
                guard state.clients.count < capacity else {
                    state.untracked += 1
                    return
                }
                record = ClientRecord(name: observation.client)
                state.clients[observation.client] = record
                state.order.append(observation.client)
            }
            state.recent = record
            let change = record.observe(observation)
            if change != 0 { open.add(change, ordering: .relaxed) }
        }
    }

    /// Every client's findings (or one's), with the requests that show them.
    func report(client: String? = nil) -> (clients: [(name: String, findings: [Finding])], untracked: Int) {
        state.withLock { state in
            let names = client.map { name in state.clients[name] == nil ? [] : [name] } ?? state.order
            return (names.map { ($0, state.clients[$0]!.allFindings()) }, state.untracked)
        }
    }

    /// Forgets every client's history, or one's.
    func reset(client: String? = nil) {
        state.withLock { state in
            if let client {
                guard let record = state.clients.removeValue(forKey: client) else { return }
                if state.recent === record { state.recent = nil }
                open.subtract(record.chains.count, ordering: .relaxed)
                state.order.removeAll { $0 == client }
            } else {
                state = State()
                open.store(0, ordering: .relaxed)
            }
        }
    }
}
