import Synchronization

/// The stored resources of one vendor: its collections, each split into one partition per
/// client (or one shared partition whose items remember their owner). Bounded twice: a
/// collection keeps at most `capacity` items per partition, evicting the oldest, and at most
/// `maxPartitions` clients, dropping the client that arrived first.
///
/// Every request's steps run inside one `transaction`, so "find the idempotency key, else
/// create" is atomic even when two requests race. Only endpoints that declare state take the
/// lock; the rest of the request path never touches it.
public final class ResourceStore: Sendable {
    /// Clients kept per collection before the oldest one's items are dropped.
    public static let maxPartitions = 10_000

    struct Handle: Equatable {
        let collection: Int
        let partition: String
        let seq: Int
    }

    struct Record {
        var value: JSONValue
        /// The client that created it ("" for the file's own items in a shared collection).
        let owner: String
    }

    struct Partition {
        var records: [Int: Record] = [:]
        /// Sequence numbers in insertion order; entries of deleted records are skipped.
        var order: [Int] = []
        var head = 0
        /// Per declared key: key text → sequence number.
        var indexes: [[String: Int]]
        var nextSeq = 0

        init(keys: Int) { indexes = Array(repeating: [:], count: keys) }
    }

    struct CollectionState {
        let spec: CollectionSpec
        var partitions: [String: Partition] = [:]
        var arrival: [String] = []
    }

    struct State {
        var collections: [CollectionState]

        /// The partition's name for this client, created (with the file's items) on first use.
        mutating func partition(_ c: Int, client: String) -> String {
            let name = collections[c].spec.shared ? "" : client
            if collections[c].partitions[name] != nil { return name }
            if collections[c].partitions.count >= ResourceStore.maxPartitions, !collections[c].arrival.isEmpty {
                let oldest = collections[c].arrival.removeFirst()
                collections[c].partitions[oldest] = nil
            }
            collections[c].partitions[name] = Partition(keys: collections[c].spec.keys.count)
            collections[c].arrival.append(name)
            for item in collections[c].spec.items {
                _ = append(c, name, Record(value: item, owner: collections[c].spec.shared ? "" : client))
            }
            return name
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
            return parts.joined(separator: "\u{1F}")
        }

        mutating func find(_ c: Int, key k: Int, text: String, client: String) -> Handle? {
            let p = partition(c, client: client)
            guard let seq = collections[c].partitions[p]?.indexes[k][text] else { return nil }
            return Handle(collection: c, partition: p, seq: seq)
        }

        func record(_ h: Handle) -> Record? {
            collections[h.collection].partitions[h.partition]?.records[h.seq]
        }

        /// Stores `value` unless one of its keys is taken, in which case the holder is returned.
        mutating func insert(_ c: Int, _ value: JSONValue, client: String) -> (created: Handle?, conflict: Handle?) {
            let p = partition(c, client: client)
            for k in collections[c].spec.keys.indices {
                if let text = keyText(c, key: k, of: value, owner: client), let seq = collections[c].partitions[p]!.indexes[k][text] {
                    return (nil, Handle(collection: c, partition: p, seq: seq))
                }
            }
            return (append(c, p, Record(value: value, owner: client)), nil)
        }

        private mutating func append(_ c: Int, _ p: String, _ record: Record) -> Handle {
            let seq = collections[c].partitions[p]!.nextSeq
            collections[c].partitions[p]!.nextSeq += 1
            collections[c].partitions[p]!.records[seq] = record
            collections[c].partitions[p]!.order.append(seq)
            index(c, p, seq, record, add: true)
            while collections[c].partitions[p]!.records.count > collections[c].spec.capacity {
                evictOldest(c, p)
            }
            return Handle(collection: c, partition: p, seq: seq)
        }

        private mutating func index(_ c: Int, _ p: String, _ seq: Int, _ record: Record, add: Bool) {
            for k in collections[c].spec.keys.indices {
                guard let text = keyText(c, key: k, of: record.value, owner: record.owner) else { continue }
                if add {
                    collections[c].partitions[p]!.indexes[k][text] = seq
                } else if collections[c].partitions[p]!.indexes[k][text] == seq {
                    collections[c].partitions[p]!.indexes[k][text] = nil
                }
            }
        }

        private mutating func evictOldest(_ c: Int, _ p: String) {
            while collections[c].partitions[p]!.head < collections[c].partitions[p]!.order.count {
                let seq = collections[c].partitions[p]!.order[collections[c].partitions[p]!.head]
                collections[c].partitions[p]!.head += 1
                if collections[c].partitions[p]!.records[seq] != nil {
                    remove(Handle(collection: c, partition: p, seq: seq))
                    break
                }
            }
            compact(c, p)
        }

        private mutating func compact(_ c: Int, _ p: String) {
            let partition = collections[c].partitions[p]!
            guard partition.order.count > 64, partition.order.count > 2 * partition.records.count else { return }
            collections[c].partitions[p]!.order = partition.order[partition.head...].filter { partition.records[$0] != nil }
            collections[c].partitions[p]!.head = 0
        }

        mutating func replace(_ h: Handle, with value: JSONValue) {
            guard let old = record(h) else { return }
            index(h.collection, h.partition, h.seq, old, add: false)
            let updated = Record(value: value, owner: old.owner)
            collections[h.collection].partitions[h.partition]!.records[h.seq] = updated
            index(h.collection, h.partition, h.seq, updated, add: true)
        }

        mutating func remove(_ h: Handle) {
            guard let old = record(h) else { return }
            index(h.collection, h.partition, h.seq, old, add: false)
            collections[h.collection].partitions[h.partition]!.records[h.seq] = nil
            compact(h.collection, h.partition)
        }

        /// The client's items in insertion order, those matching every filter.
        mutating func list(_ c: Int, client: String, filters: [(field: String, text: String)]) -> [JSONValue] {
            let p = partition(c, client: client)
            let partition = collections[c].partitions[p]!
            var out: [JSONValue] = []
            for seq in partition.order[partition.head...] {
                guard let record = partition.records[seq] else { continue }
                if collections[c].spec.shared, !record.owner.isEmpty, record.owner != client { continue }
                if filters.allSatisfy({ record.value[$0.field]?.keyText == $0.text }) { out.append(record.value) }
            }
            return out
        }

        mutating func reset(client: String?) {
            for c in collections.indices {
                guard let client else {
                    collections[c].partitions.removeAll()
                    collections[c].arrival.removeAll()
                    continue
                }
                if collections[c].spec.shared {
                    guard let partition = collections[c].partitions[""] else { continue }
                    for (seq, record) in partition.records where record.owner == client {
                        remove(Handle(collection: c, partition: "", seq: seq))
                    }
                } else {
                    collections[c].partitions[client] = nil
                    collections[c].arrival.removeAll { $0 == client }
                }
            }
        }
    }

    let names: [String]
    private let state: Mutex<State>

    /// `carrying`: the store of the same vendor before a reload. A collection declared again
    /// with the same keys and sharing keeps every client's items (under the new capacity and
    /// starting items, which apply to clients that arrive later); any other collection starts empty.
    init(collections: [CollectionSpec], carrying previous: ResourceStore? = nil) {
        names = collections.map(\.name)
        var states = collections.map { CollectionState(spec: $0) }
        if let previous, !previous.isEmpty {
            let old = previous.state.withLock { $0.collections }
            for i in states.indices {
                let spec = states[i].spec
                guard let match = old.first(where: { $0.spec.name == spec.name && $0.spec.keys == spec.keys && $0.spec.shared == spec.shared }) else { continue }
                states[i].partitions = match.partitions
                states[i].arrival = match.arrival
            }
        }
        state = Mutex(State(collections: states))
    }

    var isEmpty: Bool { names.isEmpty }

    func transaction<R>(_ body: (inout State) -> R) -> R {
        state.withLock { body(&$0) }
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
            state.collections.indices.map { c in (state.collections[c].spec.name, state.list(c, client: client, filters: [])) }
        }
    }
}
