import Synchronization

/// What `GET /__faultline/metrics` reports from the transport: requests by the responder's
/// tag, status and label, a latency histogram per tag, and connections.
public struct ServerMetrics: Sendable {
    public struct RequestKey: Hashable, Sendable {
        /// `ResponseNotes.tag`: the responder's own grouping (vendor and endpoint); -1 none.
        public var tag: Int32
        public var status: Int32
        /// `ResponseNotes.label` (the scenario served).
        public var label: String?
    }

    /// Latency buckets in seconds, as Prometheus client libraries default to, plus finer ones
    /// at the low end where a mock's answers fall.
    public static let latencyBounds: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public struct Histogram: Sendable, Equatable {
        /// Per bound, not cumulative; the last slot counts what exceeds every bound.
        public var counts = [UInt64](repeating: 0, count: ServerMetrics.latencyBounds.count + 1)
        public var sumNanoseconds: UInt64 = 0
        public var count: UInt64 = 0

        public init() {}

        @inline(__always)
        mutating func record(nanoseconds: UInt64) {
            let seconds = Double(nanoseconds) / 1e9
            var slot = 0
            let bounds = ServerMetrics.latencyBounds
            while slot < bounds.count && seconds > bounds[slot] { slot += 1 }
            counts[slot] &+= 1
            sumNanoseconds &+= nanoseconds
            count &+= 1
        }

        mutating func merge(_ other: Histogram) {
            for i in counts.indices { counts[i] &+= other.counts[i] }
            sumNanoseconds &+= other.sumNanoseconds
            count &+= other.count
        }
    }

    public var requests: [RequestKey: UInt64] = [:]
    public var latency: [Int32: Histogram] = [:]
    public var openConnections = 0
    public var acceptedConnections: UInt64 = 0

    public init() {}
}

/// Where a server's event loops keep their counts, made before the server so that whoever
/// reports them (the admin API's `/metrics`) holds it from the start: no back-reference to the
/// server. Each loop gets a shard of its own; a snapshot adds them up.
public final class ServerMetricsStore: Sendable {
    private let shards = Mutex<[LoopMetrics]>([])

    public init() {}

    /// A new loop's own counters.
    func shard() -> LoopMetrics {
        let shard = LoopMetrics()
        shards.withLock { $0.append(shard) }
        return shard
    }

    /// The counters of every loop, summed; each loop's share is read under its own lock, so a
    /// scrape never waits on a whole loop.
    public func snapshot() -> ServerMetrics {
        var total = ServerMetrics()
        for shard in shards.withLock({ $0 }) { shard.add(to: &total) }
        return total
    }
}

/// One event loop's share of the metrics. Only its loop writes it; the lock is there for the
/// scrape, so it is uncontended on the request path (one lock per loop, never shared).
/// Counts live in arrays: the request counters behind a key index with a one-entry cache (a
/// run of the same answer skips hashing), the histograms by tag, which the responder hands out
/// densely from 0, through a slot table.
final class LoopMetrics: Sendable {
    private struct Counts {
        var keys: [ServerMetrics.RequestKey] = []
        var counts: [UInt64] = []
        var index: [ServerMetrics.RequestKey: Int] = [:]
        var last = -1
        /// Where tag t's histogram is in `latency`, at t + 1 (slot 0: tag -1); -1 for none yet.
        /// Four bytes per tag, so a catalog of thousands of endpoints costs a loop little until
        /// they are called.
        var latencySlot: [Int32] = []
        var latency: [ServerMetrics.Histogram] = []
        var latencyTags: [Int32] = []

        mutating func slot(for key: ServerMetrics.RequestKey) -> Int {
            if last >= 0, keys[last] == key { return last }
            if let known = index[key] {
                last = known
                return known
            }
            keys.append(key)
            counts.append(0)
            index[key] = keys.count - 1
            last = keys.count - 1
            return last
        }
    }

    private let counts = Mutex(Counts())
    let open = Atomic<Int>(0)
    let accepted = Atomic<UInt64>(0)

    func record(tag: Int32, status: Int, label: String?, nanoseconds: UInt64) {
        let key = ServerMetrics.RequestKey(tag: tag, status: Int32(truncatingIfNeeded: status), label: label)
        let histogram = Int(max(-1, tag)) + 1
        counts.withLock { counts in
            counts.counts[counts.slot(for: key)] &+= 1
            if counts.latencySlot.count <= histogram {
                counts.latencySlot.append(contentsOf: repeatElement(-1, count: histogram + 1 - counts.latencySlot.count))
            }
            var slot = Int(counts.latencySlot[histogram])
            if slot < 0 {
                slot = counts.latency.count
                counts.latencySlot[histogram] = Int32(slot)
                counts.latency.append(ServerMetrics.Histogram())
                counts.latencyTags.append(Int32(histogram - 1))
            }
            counts.latency[slot].record(nanoseconds: nanoseconds)
        }
    }

    func add(to total: inout ServerMetrics) {
        counts.withLock { counts in
            for (i, key) in counts.keys.enumerated() { total.requests[key, default: 0] &+= counts.counts[i] }
            for (slot, histogram) in counts.latency.enumerated() where histogram.count > 0 {
                total.latency[counts.latencyTags[slot], default: ServerMetrics.Histogram()].merge(histogram)
            }
        }
        total.openConnections += open.load(ordering: .relaxed)
        total.acceptedConnections &+= accepted.load(ordering: .relaxed)
    }
}
