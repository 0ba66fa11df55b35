#if canImport(Glibc)
import Glibc
#endif
import FaultlineHTTP
import Synchronization

/// The stored resources of one vendor: its collections, each split into one partition per
/// client (in a shared collection too, where every client sees the others' keys taken).
///
/// Bounded in bytes as well as counts (`StateLimits`), and fairly: a client's own writes past
/// `capacity` items or its byte budget evict its own oldest items; room for a newcomer is made
/// only by forgetting clients idle for the protected time, least recently active first; and
/// when every client is recent the write is refused (507) rather than erasing an active test's
/// state. A client that only reads gets no partition of its own: it reads the declared items.
///
/// Every request's steps run inside one `transaction`, so "find the idempotency key, else
/// create" is atomic even when two requests race. Only endpoints that declare state take the
/// lock; the rest of the request path never touches it.
public final class ResourceStore: Sendable {
    struct Handle: Equatable {
        let collection: Int
        /// The client whose partition holds it ("" for a shared collection's declared items).
        let owner: String
        let seq: Int
        /// Read from a private collection's declared items: the client's own copy is made
        /// before any change.
        let declared: Bool
    }

    struct Record {
        let value: JSONValue
        /// The client that created it ("" for the file's own items).
        let owner: String
        /// What it costs against the limits (`cost`), its shown bytes included.
        let bytes: Int
        /// The item as a list shows it, hidden fields left out, serialized once when stored:
        /// a list answer copies these bytes rather than writing every item out again.
        let shown: [UInt8]
    }

    struct Partition {
        var records: [Int: Record] = [:]
        /// Sequence numbers in insertion order; entries of deleted records are skipped.
        var order: [Int] = []
        var head = 0
        /// Per declared key: key text → sequence number (private collections only).
        var indexes: [[String: Int]]

        init(keys: Int) { indexes = Array(repeating: [:], count: keys) }
    }

    struct CollectionState {
        let spec: CollectionSpec
        /// By client; in a shared collection, "" holds the file's items.
        var partitions: [String: Partition] = [:]
        /// A private collection's declared items, indexed: what a client without a partition reads.
        var declared: Partition
        /// A shared collection's keys, across every client: key text → holder.
        var sharedIndexes: [[String: Handle]]
    }

    /// Why a write was not stored: answered with Faultline's own 507.
    enum Refusal: Error, Equatable {
        case itemTooLarge(bytes: Int, limit: Int)
        case itemTooDeep(depth: Int, limit: Int)
        case full(clients: Int, bytes: Int, protectedSeconds: Double)
    }

    /// Bytes a partition costs besides its items.
    static let partitionOverhead = 512

    struct State {
        var collections: [CollectionState]
        var ledger = ClientLedger()
        let limits: StateLimits
        /// Sequence numbers are unique across the store, so a handle never names a later item.
        var nextSeq = 0
        var now: UInt64 = 0

        init(collections specs: [CollectionSpec], limits: StateLimits) {
            self.limits = limits
            collections = specs.map { spec in
                CollectionState(spec: spec, declared: Partition(keys: spec.keys.count), sharedIndexes: Array(repeating: [:], count: spec.keys.count))
            }
            for c in collections.indices {
                let spec = collections[c].spec
                var partition = Partition(keys: spec.keys.count)
                for item in spec.items {
                    let seq = nextSeq
                    nextSeq += 1
                    let shown = item.withoutHiddenFields.serialized
                    partition.records[seq] = Record(value: item, owner: "", bytes: cost(c, item, owner: "", shown: shown.count), shown: shown)
                    partition.order.append(seq)
                    for k in spec.keys.indices {
                        guard let text = keyText(c, key: k, of: item, owner: "") else { continue }
                        if spec.shared { collections[c].sharedIndexes[k][text] = Handle(collection: c, owner: "", seq: seq, declared: false) } else { partition.indexes[k][text] = seq }
                    }
                }
                if spec.shared {
                    collections[c].partitions[""] = partition
                    // The file's items of a shared collection are everyone's: charged to "", which
                    // no budget of a client's covers and no eviction forgets.
                    ledger.touch("", now: 0)
                    ledger.add(partition.records.values.reduce(0) { $0 + $1.bytes }, to: "")
                } else {
                    collections[c].declared = partition
                }
            }
        }

        /// The text a key of `value` is indexed under; nil when one of its fields is absent or null.
        func keyText(_ c: Int, key k: Int, of value: JSONValue, owner: String) -> String? {
            var parts: [String] = []
            for field in collections[c].spec.keys[k] {
                if field == CollectionSpec.clientField {
                    parts.append(owner)
                } else {
                    guard let v = value[field], v != .null else { return nil }
                    parts.append(v.keyText)
                }
            }
            return CompositeKey.join(parts)
        }

        // MARK: Reading

        func find(_ c: Int, key k: Int, text: String, client: String) -> Handle? {
            if collections[c].spec.shared { return collections[c].sharedIndexes[k][text] }
            if let partition = collections[c].partitions[client] {
                return partition.indexes[k][text].map { Handle(collection: c, owner: client, seq: $0, declared: false) }
            }
            return collections[c].declared.indexes[k][text].map { Handle(collection: c, owner: client, seq: $0, declared: true) }
        }

        /// The item `h` names. A handle on a declared item reads the client's own copy once a
        /// write has made one (so a second change in the same request builds on the first).
        func record(_ h: Handle) -> Record? {
            if let partition = collections[h.collection].partitions[h.owner] { return partition.records[h.seq] }
            return h.declared ? collections[h.collection].declared.records[h.seq] : nil
        }

        /// The client's items in insertion order (a shared collection's declared items first),
        /// those matching every filter.
        func list(_ c: Int, client: String, filters: [(field: String, text: String)]) -> [Record] {
            var out: [Record] = []
            func add(_ partition: Partition) {
                out.reserveCapacity(out.count + partition.records.count)
                for seq in partition.order[partition.head...] {
                    guard let record = partition.records[seq] else { continue }
                    if filters.isEmpty || filters.allSatisfy({ record.value[$0.field]?.keyText == $0.text }) { out.append(record) }
                }
            }
            if collections[c].spec.shared {
                if let partition = collections[c].partitions[""] { add(partition) }
                if !client.isEmpty, let partition = collections[c].partitions[client] { add(partition) }
            } else {
                add(collections[c].partitions[client] ?? collections[c].declared)
            }
            return out
        }

        // MARK: Writing

        /// Stores `value` unless one of its keys is taken (the holder is returned) or the
        /// limits refuse it.
        mutating func insert(_ c: Int, _ value: JSONValue, client: String) -> Result<(created: Handle?, conflict: Handle?), Refusal> {
            let spec = collections[c].spec
            for k in spec.keys.indices {
                guard let text = keyText(c, key: k, of: value, owner: client), let holder = find(c, key: k, text: text, client: client) else { continue }
                return .success((nil, holder))
            }
            let new: Record
            switch measure(c, value, owner: client) {
            case .success(let measured): new = measured
            case .failure(let refusal): return .failure(refusal)
            }
            let bytes = new.bytes
            let opening = collections[c].partitions[client] == nil ? Self.openingCost(collections[c]) : 0
            guard bytes + opening <= limits.clientBytes else { return .failure(.itemTooLarge(bytes: bytes + opening, limit: limits.clientBytes)) }
            if let refusal = makeRoom(for: client, bytes: bytes + opening, in: c, sparing: nil) { return .failure(refusal) }
            open(c, client)
            let seq = nextSeq
            nextSeq += 1
            collections[c].partitions[client]!.records[seq] = new
            collections[c].partitions[client]!.order.append(seq)
            let handle = Handle(collection: c, owner: client, seq: seq, declared: false)
            index(handle, value, add: true)
            ledger.add(bytes, to: client)
            while collections[c].partitions[client]!.records.count > spec.capacity, evictOldest(c, client, sparing: handle) {}
            return .success((handle, nil))
        }

        /// Replaces the item `h` names; nil when done, the refusal otherwise.
        @discardableResult
        mutating func replace(_ original: Handle, with value: JSONValue) -> Refusal? {
            guard let old = record(original) else { return nil }
            let new: Record
            switch measure(original.collection, value, owner: original.owner) {
            case .success(let measured): new = measured
            case .failure(let refusal): return refusal
            }
            let bytes = new.bytes
            let h: Handle
            switch ownCopy(original, adding: bytes - old.bytes) {
            case .success(let own): h = own
            case .failure(let refusal): return refusal
            }
            if let refusal = makeRoom(for: h.owner, bytes: bytes - old.bytes, in: h.collection, sparing: h) { return refusal }
            guard let current = record(h) else { return nil }
            index(h, current.value, add: false)
            collections[h.collection].partitions[h.owner]!.records[h.seq] = Record(value: value, owner: current.owner, bytes: bytes, shown: new.shown)
            index(h, value, add: true)
            ledger.add(bytes - current.bytes, to: h.owner)
            return nil
        }

        /// Removes the item `h` names; the refusal when the limits leave no room for the
        /// client's own copy of the declared items it would be removed from.
        @discardableResult
        mutating func remove(_ original: Handle) -> Refusal? {
            let h: Handle
            switch ownCopy(original, adding: 0) {
            case .success(let own): h = own
            case .failure(let refusal): return refusal
            }
            guard let old = record(h) else { return nil }
            index(h, old.value, add: false)
            collections[h.collection].partitions[h.owner]!.records[h.seq] = nil
            ledger.add(-old.bytes, to: h.owner)
            compact(h.collection, h.owner)
            return nil
        }

        /// `h` in the client's own partition, copying the declared items first when it names
        /// one of them and the client has no copy yet.
        mutating func ownCopy(_ h: Handle, adding bytes: Int) -> Result<Handle, Refusal> {
            guard h.declared else { return .success(h) }
            let c = h.collection
            if collections[c].partitions[h.owner] == nil {
                let needed = Self.openingCost(collections[c]) + max(0, bytes)
                guard needed <= limits.clientBytes else { return .failure(.itemTooLarge(bytes: needed, limit: limits.clientBytes)) }
                if let refusal = makeRoom(for: h.owner, bytes: needed, in: c, sparing: nil) { return .failure(refusal) }
                open(c, h.owner)
            }
            return .success(Handle(collection: c, owner: h.owner, seq: h.seq, declared: false))
        }

        /// The client's partition of `c`, made from the declared items if it has none.
        mutating func open(_ c: Int, _ client: String) {
            guard collections[c].partitions[client] == nil else { return }
            ledger.touch(client, now: now)
            let spec = collections[c].spec
            collections[c].partitions[client] = spec.shared ? Partition(keys: spec.keys.count) : collections[c].declared
            ledger.add(Self.openingCost(collections[c]), to: client)
        }

        /// What a client's own partition costs when opened: its overhead and the declared
        /// items copied into it (each charged as its record, so evicting one frees its bytes).
        static func openingCost(_ collection: CollectionState) -> Int {
            partitionOverhead + (collection.spec.shared ? 0 : collection.declared.records.values.reduce(0) { $0 + $1.bytes })
        }

        /// Bytes a record of `value` costs: its footprint, the record, its shown bytes, and each
        /// key's index entry (its text and a dictionary slot).
        func cost(_ c: Int, _ value: JSONValue, owner: String, footprint: Int? = nil, shown: Int) -> Int {
            var total = (footprint ?? value.footprint.bytes) + 64 + 32 + shown
            for k in collections[c].spec.keys.indices { total += 64 + (keyText(c, key: k, of: value, owner: owner)?.utf8.count ?? 0) }
            return total
        }

        /// The record `value` would be stored as, or why it may not be. The depth is checked
        /// before anything walks the value recursively.
        func measure(_ c: Int, _ value: JSONValue, owner: String) -> Result<Record, Refusal> {
            let (bytes, depth) = value.footprint
            guard depth <= limits.itemDepth else { return .failure(.itemTooDeep(depth: depth, limit: limits.itemDepth)) }
            let shown = value.withoutHiddenFields.serialized
            let total = cost(c, value, owner: owner, footprint: bytes, shown: shown.count)
            guard total <= limits.clientBytes else { return .failure(.itemTooLarge(bytes: total, limit: limits.clientBytes)) }
            return .success(Record(value: value, owner: owner, bytes: total, shown: shown))
        }

        mutating func reset(client: String?) {
            guard let client else {
                self = State(collections: collections.map(\.spec), limits: limits)
                return
            }
            forget(client)
        }
    }

    let names: [String]
    private let state: Mutex<State>
    private let clock: @Sendable () -> UInt64

    /// `carrying`: the store of the same vendor before a reload. A collection declared again
    /// with the same keys and sharing keeps every client's items (under the new capacity and
    /// starting items, which apply to clients that arrive later); any other collection starts empty.
    init(collections: [CollectionSpec], limits: StateLimits = StateLimits(), carrying previous: ResourceStore? = nil, clock: @escaping @Sendable () -> UInt64 = ResourceStore.monotonic) {
        names = collections.map(\.name)
        self.clock = clock
        var fresh = State(collections: collections, limits: limits)
        if let previous, !previous.isEmpty {
            let old = previous.state.withLock { $0 }
            fresh.nextSeq = max(fresh.nextSeq, old.nextSeq)
            for i in fresh.collections.indices {
                let spec = fresh.collections[i].spec
                guard let match = old.collections.first(where: { $0.spec.name == spec.name && $0.spec.keys == spec.keys && $0.spec.shared == spec.shared }) else { continue }
                // Every client's items carry over; the file's own items are the new file's.
                for (client, partition) in match.partitions where !client.isEmpty {
                    fresh.collections[i].partitions[client] = partition
                    guard spec.shared else { continue }
                    for (seq, record) in partition.records {
                        fresh.reindexShared(Handle(collection: i, owner: client, seq: seq, declared: false), record.value)
                    }
                }
            }
            // Bytes follow the items carried; clients whose collections were all dropped are gone.
            for collection in fresh.collections {
                for (client, partition) in collection.partitions where !client.isEmpty {
                    if !fresh.ledger.contains(client) { fresh.ledger.touch(client, now: clock()) }
                    fresh.ledger.add(ResourceStore.partitionOverhead + partition.records.values.reduce(0) { $0 + $1.bytes }, to: client)
                }
            }
        }
        state = Mutex(fresh)
    }

    var isEmpty: Bool { names.isEmpty }

    /// Runs `body` under the store's lock, `client` marked active.
    func transaction<R>(client: String, _ body: (inout State) -> R) -> R {
        let now = clock()
        return state.withLock { state in
            state.now = now
            if state.ledger.contains(client) { state.ledger.touch(client, now: now) }
            return body(&state)
        }
    }

    /// Forgets every client's items, or one client's; the file's own items come back on next use.
    public func reset(client: String?) {
        guard !isEmpty else { return }
        state.withLock { $0.reset(client: client) }
    }

    /// A client's items per collection, for `GET /__faultline/state`.
    func snapshot(client: String) -> [(collection: String, items: [JSONValue])] {
        guard !isEmpty else { return [] }
        return state.withLock { state in
            state.collections.indices.map { c in (state.collections[c].spec.name, state.list(c, client: client, filters: []).map(\.value)) }
        }
    }

    /// Bytes held: in all, and by one client.
    func usage(client: String? = nil) -> (total: Int, client: Int, clients: Int) {
        state.withLock { ($0.ledger.totalBytes, client.map($0.ledger.bytes(of:)) ?? 0, $0.ledger.count) }
    }

    @Sendable public static func monotonic() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
