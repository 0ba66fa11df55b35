/// The rules a client's retries are held to, and what one client's history holds.
extension RetryJudge {
    public enum Rule: String, Sendable, CaseIterable {
        case retriedNonRetryable = "retried-non-retryable"
        case ignoredWait = "ignored-wait"
        case retriedImmediately = "retried-immediately"
        case noBackoff = "no-backoff"
        case keptSendingWhileLimited = "kept-sending-while-limited"
        case retryWithoutKey = "retry-without-key"
        case newKeyOnRetry = "new-key-on-retry"
        case overBudget = "over-budget"
        case waitedAsTold = "waited-as-told"
        case backedOff = "backed-off"
        case reusedKey = "reused-key"
        case gaveUp = "gave-up"

        public var severity: Finding.Severity {
            switch self {
            case .retriedImmediately, .noBackoff: .warning
            case .waitedAsTold, .backedOff, .reusedKey, .gaveUp: .ok
            default: .error
            }
        }

        /// The rule's flag in a chain's `reported` set.
        var bit: UInt32 {
            let position: UInt32 = switch self {
            case .retriedNonRetryable: 0
            case .ignoredWait: 1
            case .retriedImmediately: 2
            case .noBackoff: 3
            case .keptSendingWhileLimited: 4
            case .retryWithoutKey: 5
            case .newKeyOnRetry: 6
            case .overBudget: 7
            case .waitedAsTold: 8
            case .backedOff: 9
            case .reusedKey: 10
            case .gaveUp: 11
            }
            return 1 << position
        }
    }

    /// An answer as the judge sees it; a chain keeps the last failure (or slow answer) served.
    struct Answer {
        var status: Int
        /// The catalog entry or scenario that answered ("courier_error", "reset").
        var scenario: String?
        var broken: Bool
        /// Whether the vendor lets this answer be retried, and its words for it.
        var retryable: Bool
        var source: String?
        /// Seconds the answer said to wait, when it said.
        var wait: Double?
        /// Seconds the answer is held back (`delay`): a client may time out on it and retry.
        var held: Double = 0

        var failed: Bool { broken || status >= 400 }
    }

    /// One request tried again and again: from its first failure until it succeeds or the
    /// client moves on to another request of the endpoint. A class: every retry reads and
    /// changes it where it lies (a struct in a dictionary is copied whole by each read).
    final class Chain {
        // Only ever touched under the judge's lock: the runtime's exclusivity checks (a call
        // per access) would guard nothing.
        let vendor: String
        let endpoint: String
        let identity: Int
        @exclusivity(unchecked) var failure: Answer
        let firstKey: String?
        @exclusivity(unchecked) var attempts = 1
        @exclusivity(unchecked) var lastAt: Double
        /// The latest intervals between attempts, up to three.
        @exclusivity(unchecked) var intervals = LastIntervals()
        @exclusivity(unchecked) var evidence: [Evidence]
        @exclusivity(unchecked) var reported: UInt32 = 0

        init(vendor: String, endpoint: String, identity: Int, failure: Answer, firstKey: String?, lastAt: Double, evidence: Evidence) {
            (self.vendor, self.endpoint, self.identity, self.failure, self.firstKey, self.lastAt) = (vendor, endpoint, identity, failure, firstKey, lastAt)
            self.evidence = [evidence]
        }
    }

    /// 429s in a row, each before the wait the last one announced was over.
    final class LimitRun {
        @exclusivity(unchecked) var until: Double
        @exclusivity(unchecked) var count = 1
        @exclusivity(unchecked) var reported = false
        @exclusivity(unchecked) var evidence: [Evidence]

        init(until: Double, evidence: Evidence) {
            self.until = until
            self.evidence = [evidence]
        }
    }

    /// A class, so that the judge can keep the last client's at hand (most requests come
    /// from the client before them) and change it without a lookup.
    final class ClientRecord {
        let name: String
        @exclusivity(unchecked) var chains: [Int: Chain] = [:]
        /// The chain judged last and its key: a client retrying looks it up again and again.
        @exclusivity(unchecked) private var recent: (key: Int, chain: Chain)?
        /// Per vendor (by its index), the run of 429s it is in.
        @exclusivity(unchecked) var limits: [LimitRun?] = []
        @exclusivity(unchecked) var findings: [Finding] = []

        init(name: String) { self.name = name }

        /// Judges one request; returns the change in open chains.
        func observe(_ o: Observation) -> Int {
            watchRateLimit(o)
            let key = o.vendor.index << 20 | o.endpoint
            if let chain = recent?.key == key ? recent?.chain : chains[key] {
                // After a slow success's hold the client had its answer: a repeat is a new request.
                let answered = !chain.failure.failed && chain.failure.held > 0 && o.now >= chain.lastAt + chain.failure.held
                guard chain.identity == o.identity, !answered else {
                    close(key)
                    gaveUp(chain, o)
                    return open(o, key) - 1
                }
                recent = (key, chain)
                Self.judgeRetry(chain, o, &findings)
                if o.failed {
                    chain.failure = o.answer
                    return 0
                }
                close(key)
                if chain.reported & Rule.noBackoff.bit == 0, o.vendor.spec.growingBackoff, chain.intervals.count >= 2, chain.intervals.growing {
                    Self.add(.backedOff, o, "retried at growing intervals (\(Self.seconds(chain.intervals.values))) until it succeeded", source: o.vendor.spec.backoffSource, chain.evidence, &findings)
                }
                return -1
            }
            return open(o, key)
        }

        /// A failure starts a chain of its own; returns the change in open chains.
        private func open(_ o: Observation, _ key: Int) -> Int {
            guard o.opensChain else { return 0 }
            var change = 1
            if chains.count >= RetryJudge.chainsPerClient, let oldest = chains.keys.first {
                close(oldest)
                change -= 1
            }
            let chain = Chain(vendor: o.vendor.vendor, endpoint: o.vendor.endpointIDs[o.endpoint], identity: o.identity, failure: o.answer, firstKey: o.key, lastAt: o.now, evidence: o.evidence)
            chains[key] = chain
            recent = (key, chain)
            return change
        }

        private func close(_ key: Int) {
            chains[key] = nil
            if recent?.key == key { recent = nil }
        }

        private static func judgeRetry(_ chain: Chain, _ o: Observation, _ findings: inout [Finding]) {
            let interval = max(0, o.now - chain.lastAt)
            let spec = o.vendor.spec
            chain.attempts += 1
            chain.lastAt = o.now
            // The first attempts and the latest one: a long run replaces its last entry.
            if chain.evidence.count >= RetryJudge.evidencePerChain { chain.evidence[chain.evidence.count - 1] = o.evidence } else { chain.evidence.append(o.evidence) }
            chain.intervals.append(interval)
            if !chain.failure.retryable {
                once(.retriedNonRetryable, chain, o, "sent the same \(o.method) \(o.path) again after \(Self.describe(chain.failure)), which the vendor says not to retry: change the request instead", source: chain.failure.source, &findings)
            } else if let wait = chain.failure.wait {
                // A client sleeps after reading the answer, so it can only come back later than
                // the wait; 50 ms allow for clocks read at slightly different points.
                if interval + 0.05 < wait {
                    once(.ignoredWait, chain, o, "came back after \(Self.seconds([interval])) when \(Self.describe(chain.failure)) said to wait \(Self.seconds([wait]))", source: spec.waitSource, &findings)
                } else {
                    once(.waitedAsTold, chain, o, "waited \(Self.seconds([interval])) after \(Self.describe(chain.failure)), which asked for \(Self.seconds([wait]))", source: spec.waitSource, &findings)
                }
            } else if chain.attempts == 2, interval < spec.minFirstDelay {
                once(.retriedImmediately, chain, o, "retried \(Self.seconds([interval])) after \(Self.describe(chain.failure)): back off before the first retry (at least \(Self.seconds([spec.minFirstDelay])))", source: spec.backoffSource, &findings)
            }
            if chain.failure.retryable, chain.failure.wait == nil, spec.growingBackoff, chain.intervals.count == 3, !chain.intervals.growing {
                let (retries, intervals) = (chain.attempts - 1, chain.intervals.values)
                once(.noBackoff, chain, o, "retried \(retries) times at intervals of \(Self.seconds(intervals)): the waits must grow (exponential backoff)", source: spec.backoffSource, &findings)
            }
            if chain.failure.retryable, chain.failure.broken || chain.failure.status >= 500 || chain.failure.held > 0, let rule = o.vendor.keys[o.endpoint] {
                if o.key == nil {
                    once(.retryWithoutKey, chain, o, "retried after \(Self.describe(chain.failure)) without the idempotency key (\(Self.place(of: rule))): the vendor cannot tell it is the same request", source: rule.source, &findings)
                } else if o.key != chain.firstKey {
                    let firstKey = chain.firstKey ?? "none"
                    once(.newKeyOnRetry, chain, o, "retried after \(Self.describe(chain.failure)) with a new idempotency key (\(firstKey) → \(o.key!)): the vendor may do the work twice", source: rule.source, &findings)
                } else {
                    once(.reusedKey, chain, o, "retried after \(Self.describe(chain.failure)) with the same idempotency key (\(Self.place(of: rule)))", source: rule.source, &findings)
                }
            }
            if chain.attempts > spec.maxAttempts {
                let attempts = chain.attempts
                once(.overBudget, chain, o, "\(attempts) attempts of one request; the budget is \(spec.maxAttempts)", source: spec.backoffSource, &findings)
            }
        }

        /// The client moved on from a failed request: good, when it was not to be retried.
        private func gaveUp(_ chain: Chain, _ o: Observation) {
            guard !chain.failure.retryable, chain.attempts == 1 else { return }
            Self.add(.gaveUp, o, "did not repeat the request after \(Self.describe(chain.failure)), as the vendor asks", source: chain.failure.source, chain.evidence, &findings)
        }

        private func watchRateLimit(_ o: Observation) {
            let vendor = o.vendor.index
            if vendor >= limits.count {
                guard o.answer.status == 429 else { return }
                limits += repeatElement(nil, count: vendor + 1 - limits.count)
            }
            if let run = limits[vendor], o.now < run.until {
                guard o.answer.status == 429 else { return }
                if Self.extend(run, o) {
                    Self.add(.keptSendingWhileLimited, o, "\(run.count) requests in a row were answered 429, each sent before the wait the last one announced was over", source: o.vendor.spec.waitSource, run.evidence, &findings)
                }
            } else if o.answer.status == 429 {
                limits[vendor] = LimitRun(until: o.now + (o.answer.wait ?? 1), evidence: o.evidence)
            } else if limits[vendor] != nil {
                limits[vendor] = nil
            }
        }

        /// One more 429 in a run; true the first time the run is long enough to report.
        private static func extend(_ run: LimitRun, _ o: Observation) -> Bool {
            run.count += 1
            run.until = o.now + (o.answer.wait ?? 1)
            if run.evidence.count < RetryJudge.evidencePerChain { run.evidence.append(o.evidence) }
            guard run.count >= 3, !run.reported else { return false }
            run.reported = true
            return true
        }

        /// A rule's finding, the first time a chain breaks (or keeps) it; the message is only
        /// written then.
        private static func once(_ rule: Rule, _ chain: Chain, _ o: Observation, _ message: @autoclosure () -> String, source: String?, _ findings: inout [Finding]) {
            guard chain.reported & rule.bit == 0 else { return }
            chain.reported |= rule.bit
            add(rule, o, message(), source: source, chain.evidence, &findings)
        }

        private static func add(_ rule: Rule, _ o: Observation, _ message: String, source: String?, _ evidence: [Evidence], _ findings: inout [Finding]) {
            if findings.count >= RetryJudge.findingsPerClient { findings.removeFirst() }
            findings.append(Finding(rule: rule, vendor: o.vendor.vendor, endpoint: o.vendor.endpointIDs[o.endpoint], message: message, source: source, evidence: evidence))
        }

        /// Everything found, with failures nobody retried that were not to be retried counted
        /// as given up on.
        func allFindings() -> [Finding] {
            findings + chains.values.filter { !$0.failure.retryable && $0.attempts == 1 }.sorted { $0.lastAt < $1.lastAt }.map {
                Finding(rule: .gaveUp, vendor: $0.vendor, endpoint: $0.endpoint, message: "did not repeat the request after \(Self.describe($0.failure)), as the vendor asks", source: $0.failure.source, evidence: $0.evidence)
            }
        }

        /// Whether a wait is clearly longer than the one before: a quarter more and 20 ms, so that
        /// jitter in back-to-back retries does not pass for backoff.
        static func grows(_ before: Double, _ after: Double) -> Bool {
            after > before * 1.25 + 0.02
        }

        static func place(of key: RetrySpec.IdempotencyRule) -> String {
            key.bodyField.map { "body field \($0)" } ?? "header \(key.header ?? "")"
        }

        static func describe(_ failure: Answer) -> String {
            let name = failure.scenario.map { " (\($0))" } ?? ""
            if failure.broken { return "a broken connection\(name)" }
            if failure.held > 0, !failure.failed { return "a \(failure.status)\(name) held back \(seconds([failure.held])) (as to a client that timed out)" }
            return "a \(failure.status)\(name)"
        }

        static func seconds(_ values: [Double]) -> String {
            values.map { value in
                let ms = (value * 1000).rounded()
                return ms.truncatingRemainder(dividingBy: 1000) == 0 ? "\(Int(ms / 1000)) s" : "\(PrometheusText.format(ms / 1000)) s"
            }.joined(separator: ", ")
        }
    }

    /// The last three intervals between a chain's attempts, kept without a heap array.
    struct LastIntervals {
        private var a = 0.0, b = 0.0, c = 0.0
        private(set) var count = 0

        mutating func append(_ interval: Double) {
            (a, b, c) = (b, c, interval)
            count = min(count + 1, 3)
        }

        /// Oldest first.
        var values: [Double] { Array([a, b, c].suffix(count)) }

        /// Whether each interval is clearly longer than the one before.
        var growing: Bool {
            switch count {
            case 3: ClientRecord.grows(a, b) && ClientRecord.grows(b, c)
            case 2: ClientRecord.grows(b, c)
            default: true
            }
        }
    }
}
