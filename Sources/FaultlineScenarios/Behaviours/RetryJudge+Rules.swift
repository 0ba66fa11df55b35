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

        /// Each rule's place among the cases, made once (`allCases` builds a new array per use).
        private static let ordered = allCases

        var bit: UInt32 { 1 << UInt32(Self.ordered.firstIndex(of: self)!) }
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
    /// client moves on to another request of the endpoint.
    struct Chain {
        var vendor: String
        var endpoint: String
        var identity: Int
        var failure: Answer
        var firstKey: String?
        var attempts = 1
        var lastAt: Double
        var intervals: [Double] = []
        var evidence: [Evidence]
        var reported: UInt32 = 0
    }

    /// 429s in a row, each before the wait the last one announced was over.
    struct LimitRun {
        var until: Double
        var count = 1
        var reported = false
        var evidence: [Evidence]
    }

    struct ClientRecord {
        var chains: [Int: Chain] = [:]
        var limits: [Int: LimitRun] = [:]
        var findings: [Finding] = []

        /// Judges one request; returns the change in open chains.
        mutating func observe(_ o: Observation) -> Int {
            let evidence = Evidence(at: o.wall, method: o.method, path: o.path, status: o.answer.status, scenario: o.answer.scenario, wait: o.failed ? o.answer.wait : nil)
            watchRateLimit(o, evidence)
            let key = o.vendor.index << 20 | o.endpoint
            // Changed where it lies (`values[index]`), so that its arrays are never shared and copied.
            if let index = chains.index(forKey: key) {
                // After a slow success's hold the client had its answer: a repeat is a new request.
                let failure = chains.values[index].failure
                let answered = !failure.failed && failure.held > 0 && o.now >= chains.values[index].lastAt + failure.held
                guard chains.values[index].identity == o.identity, !answered else {
                    gaveUp(chains.remove(at: index).value, o)
                    return open(o, key, evidence) - 1
                }
                Self.judgeRetry(&chains.values[index], o, evidence, &findings)
                if o.failed {
                    chains.values[index].failure = o.answer
                    return 0
                }
                let chain = chains.remove(at: index).value
                if chain.reported & Rule.noBackoff.bit == 0, o.vendor.spec.growingBackoff, chain.intervals.count >= 2,
                   zip(chain.intervals, chain.intervals.dropFirst()).allSatisfy({ Self.grows($0, $1) }) {
                    Self.add(.backedOff, o, "retried at growing intervals (\(Self.seconds(chain.intervals))) until it succeeded", source: o.vendor.spec.backoffSource, chain.evidence, &findings)
                }
                return -1
            }
            return open(o, key, evidence)
        }

        /// A failure starts a chain of its own; returns the change in open chains.
        private mutating func open(_ o: Observation, _ key: Int, _ evidence: Evidence) -> Int {
            guard o.opensChain else { return 0 }
            var change = 1
            if chains.count >= RetryJudge.chainsPerClient, let oldest = chains.keys.first {
                chains[oldest] = nil
                change -= 1
            }
            chains[key] = Chain(vendor: o.vendor.vendor, endpoint: o.vendor.endpointIDs[o.endpoint], identity: o.identity, failure: o.answer, firstKey: o.key, lastAt: o.now, evidence: [evidence])
            return change
        }

        private static func judgeRetry(_ chain: inout Chain, _ o: Observation, _ evidence: Evidence, _ findings: inout [Finding]) {
            let interval = max(0, o.now - chain.lastAt)
            let failure = chain.failure
            let spec = o.vendor.spec
            chain.attempts += 1
            chain.lastAt = o.now
            // The first attempts and the latest one: a long run replaces its last entry.
            if chain.evidence.count >= RetryJudge.evidencePerChain { chain.evidence[chain.evidence.count - 1] = evidence } else { chain.evidence.append(evidence) }
            chain.intervals.append(interval)
            if chain.intervals.count > 3 { chain.intervals.removeFirst() }
            if !failure.retryable {
                once(.retriedNonRetryable, &chain, o, "sent the same \(o.method) \(o.path) again after \(Self.describe(failure)), which the vendor says not to retry: change the request instead", source: failure.source, &findings)
            } else if let wait = failure.wait {
                // A client sleeps after reading the answer, so it can only come back later than
                // the wait; 50 ms allow for clocks read at slightly different points.
                if interval + 0.05 < wait {
                    once(.ignoredWait, &chain, o, "came back after \(Self.seconds([interval])) when \(Self.describe(failure)) said to wait \(Self.seconds([wait]))", source: spec.waitSource, &findings)
                } else {
                    once(.waitedAsTold, &chain, o, "waited \(Self.seconds([interval])) after \(Self.describe(failure)), which asked for \(Self.seconds([wait]))", source: spec.waitSource, &findings)
                }
            } else if chain.attempts == 2, interval < spec.minFirstDelay {
                once(.retriedImmediately, &chain, o, "retried \(Self.seconds([interval])) after \(Self.describe(failure)): back off before the first retry (at least \(Self.seconds([spec.minFirstDelay])))", source: spec.backoffSource, &findings)
            }
            if failure.retryable, failure.wait == nil, spec.growingBackoff, chain.intervals.count == 3,
               !(Self.grows(chain.intervals[0], chain.intervals[1]) && Self.grows(chain.intervals[1], chain.intervals[2])) {
                let (retries, intervals) = (chain.attempts - 1, chain.intervals)
                once(.noBackoff, &chain, o, "retried \(retries) times at intervals of \(Self.seconds(intervals)): the waits must grow (exponential backoff)", source: spec.backoffSource, &findings)
            }
            if failure.retryable, failure.broken || failure.status >= 500 || failure.held > 0, let rule = o.vendor.keys[o.endpoint] {
                let field = rule.bodyField.map { "body field \($0)" } ?? "header \(rule.header ?? "")"
                if o.key == nil {
                    once(.retryWithoutKey, &chain, o, "retried after \(Self.describe(failure)) without the idempotency key (\(field)): the vendor cannot tell it is the same request", source: rule.source, &findings)
                } else if o.key != chain.firstKey {
                    let firstKey = chain.firstKey ?? "none"
                    once(.newKeyOnRetry, &chain, o, "retried after \(Self.describe(failure)) with a new idempotency key (\(firstKey) → \(o.key!)): the vendor may do the work twice", source: rule.source, &findings)
                } else {
                    once(.reusedKey, &chain, o, "retried after \(Self.describe(failure)) with the same idempotency key (\(field))", source: rule.source, &findings)
                }
            }
            if chain.attempts > spec.maxAttempts {
                let attempts = chain.attempts
                once(.overBudget, &chain, o, "\(attempts) attempts of one request; the budget is \(spec.maxAttempts)", source: spec.backoffSource, &findings)
            }
        }

        /// The client moved on from a failed request: good, when it was not to be retried.
        private mutating func gaveUp(_ chain: Chain, _ o: Observation) {
            guard !chain.failure.retryable, chain.attempts == 1 else { return }
            Self.add(.gaveUp, o, "did not repeat the request after \(Self.describe(chain.failure)), as the vendor asks", source: chain.failure.source, chain.evidence, &findings)
        }

        private mutating func watchRateLimit(_ o: Observation, _ evidence: Evidence) {
            let vendor = o.vendor.index
            if let index = limits.index(forKey: vendor), o.now < limits.values[index].until {
                guard o.answer.status == 429 else { return }
                if Self.extend(&limits.values[index], o, evidence) {
                    let count = limits.values[index].count
                    Self.add(.keptSendingWhileLimited, o, "\(count) requests in a row were answered 429, each sent before the wait the last one announced was over", source: o.vendor.spec.waitSource, limits.values[index].evidence, &findings)
                }
            } else if o.answer.status == 429 {
                limits[vendor] = LimitRun(until: o.now + (o.answer.wait ?? 1), evidence: [evidence])
            } else if limits[vendor] != nil {
                limits[vendor] = nil
            }
        }

        /// One more 429 in a run; true the first time the run is long enough to report.
        private static func extend(_ run: inout LimitRun, _ o: Observation, _ evidence: Evidence) -> Bool {
            run.count += 1
            run.until = o.now + (o.answer.wait ?? 1)
            if run.evidence.count < RetryJudge.evidencePerChain { run.evidence.append(evidence) }
            guard run.count >= 3, !run.reported else { return false }
            run.reported = true
            return true
        }

        /// A rule's finding, the first time a chain breaks (or keeps) it; the message is only
        /// written then.
        private static func once(_ rule: Rule, _ chain: inout Chain, _ o: Observation, _ message: @autoclosure () -> String, source: String?, _ findings: inout [Finding]) {
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
}
