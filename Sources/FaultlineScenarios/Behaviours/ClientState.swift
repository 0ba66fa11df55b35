#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import FaultlineHTTP

/// Where each client is in each scenario sequence (`?scenario=500,500,default`): one counter
/// per client, endpoint and sequence, so parallel tests never see each other's position.
/// Bounded like stored state (`StateLimits`): a client part-way through more than
/// `sequencesPerClient` sequences restarts its own oldest; a newcomer past `clients` takes the
/// place of a client idle for the protected time, or is refused; nobody's position is ever
/// cleared by someone else's traffic. The endpoint and sequence are kept as a 64-bit hash.
public final class SequenceCounters: Sendable {
    private struct Table {
        var ledger = ClientLedger()
        var positions: [String: [UInt64: Int]] = [:]
        /// Per client, its sequences in the order it started them.
        var started: [String: [UInt64]] = [:]
    }

    public let limits: StateLimits
    private let table = Mutex(Table())
    private let clock: @Sendable () -> UInt64

    public init(limits: StateLimits = StateLimits(), clock: @escaping @Sendable () -> UInt64 = ResourceStore.monotonic) {
        self.limits = limits
        self.clock = clock
    }

    /// The 0-based position of this call in the sequence, counting it; nil when the table is
    /// full of recently active clients.
    func next(client: String, endpoint: String, sequence: String) -> Int? {
        var hasher = Hasher()
        hasher.combine(endpoint)
        hasher.combine(sequence)
        let key = UInt64(bitPattern: Int64(hasher.finalize()))
        let now = clock()
        return table.withLock { table in
            if !table.ledger.contains(client), table.ledger.count >= limits.clients {
                let protected = UInt64(Seconds.clamped(limits.protectedSeconds) * 1e9)
                guard let idle = table.ledger.evictable(idle: protected, now: now, excluding: client) else { return nil }
                table.ledger.remove(idle)
                table.positions[idle] = nil
                table.started[idle] = nil
            }
            table.ledger.touch(client, now: now)
            let position = table.positions[client]?[key] ?? 0
            if position == 0 {
                var started = table.started[client] ?? []
                if started.count >= max(1, limits.sequencesPerClient) {
                    table.positions[client]?[started.removeFirst()] = nil
                }
                started.append(key)
                table.started[client] = started
            }
            table.positions[client, default: [:]][key] = position == Int.max ? position : position + 1
            return position
        }
    }

    func reset(client: String?) {
        table.withLock { table in
            guard let client else {
                table = Table()
                return
            }
            table.ledger.remove(client)
            table.positions[client] = nil
            table.started[client] = nil
        }
    }
}

/// A scenario that answers requests without one of their own (`PUT /__faultline/scenario`),
/// for clients that can change neither URL nor headers. Global, per vendor, per client, or both.
public final class StickyScenarios: Sendable {
    private struct Key: Hashable {
        let client: String?
        let vendor: String?
    }

    private let scenarios = Mutex<[Key: String]>([:])
    /// Sticky scenarios kept at most; set through the admin API only, but bounded all the same.
    public static let capacity = 10_000
    /// The longest name (a sequence included) a sticky scenario may have, in bytes.
    public static let maxNameLength = 4_096

    public init() {}

    /// False when the table is full and this is a new entry.
    func set(_ scenario: String, client: String?, vendor: String?) -> Bool {
        scenarios.withLock { scenarios in
            let key = Key(client: client, vendor: vendor)
            guard scenarios[key] != nil || scenarios.count < Self.capacity else { return false }
            scenarios[key] = scenario
            return true
        }
    }

    func clear(client: String?, vendor: String?) {
        scenarios.withLock { $0[Key(client: client, vendor: vendor)] = nil }
    }

    /// The most specific sticky scenario: this client and vendor, this client, this vendor, global.
    func lookup(client: String, vendor: String) -> String? {
        scenarios.withLock { scenarios in
            guard !scenarios.isEmpty else { return nil }
            return scenarios[Key(client: client, vendor: vendor)] ?? scenarios[Key(client: client, vendor: nil)]
                ?? scenarios[Key(client: nil, vendor: vendor)] ?? scenarios[Key(client: nil, vendor: nil)]
        }
    }

    func reset(client: String?) {
        scenarios.withLock { scenarios in
            if let client { scenarios = scenarios.filter { $0.key.client != client } } else { scenarios.removeAll() }
        }
    }
}
