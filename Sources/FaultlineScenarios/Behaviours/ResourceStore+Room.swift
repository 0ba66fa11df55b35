import FaultlineHTTP

/// Making room in a vendor's store: the client's own oldest items past its own budget, then
/// clients idle for the protected time, least recently active first, past the vendor's budget
/// or client count; and keeping the indexes and the order of insertion in step with it.
extension ResourceStore.State {
    typealias Handle = ResourceStore.Handle
    typealias Refusal = ResourceStore.Refusal

    /// Makes room for `bytes` more of `client`'s: its own oldest items first, past its own
    /// budget; then clients idle for the protected time, least recently active first, past
    /// the vendor's budget or client count. Nil when there is room now.
    mutating func makeRoom(for client: String, bytes: Int, in c: Int, sparing: Handle?) -> Refusal? {
        guard bytes > 0 else { return nil }
        let shared = client.isEmpty
        let newcomer = !ledger.contains(client)
        let protected = UInt64(Seconds.clamped(limits.protectedSeconds) * 1e9)
        // First whether there can be room at all, so that a refused write erases nothing.
        let own = shared ? 0 : ledger.bytes(of: client) - (sparing.flatMap { record($0)?.bytes } ?? 0)
        if !shared, bytes > limits.clientBytes { return .itemTooLarge(bytes: bytes, limit: limits.clientBytes) }
        let overVendor = ledger.totalBytes + bytes - limits.vendorBytes
        let needsClient = newcomer && ledger.count >= limits.clients
        if overVendor > 0 || needsClient {
            let idle = ledger.reclaimable(idle: protected, now: now, excluding: client, bytes: overVendor - (newcomer ? 0 : own), clients: needsClient ? 1 : 0)
            if !idle { return .full(clients: limits.clients, bytes: limits.vendorBytes, protectedSeconds: limits.protectedSeconds) }
        }
        while !shared, ledger.bytes(of: client) + bytes > limits.clientBytes {
            guard evictOwnOldest(client, preferring: c, sparing: sparing) else {
                return .itemTooLarge(bytes: bytes, limit: limits.clientBytes)
            }
        }
        while ledger.totalBytes + bytes > limits.vendorBytes || (newcomer && ledger.count >= limits.clients) {
            if let idle = ledger.evictable(idle: protected, now: now, excluding: client) {
                forget(idle)
            } else if !newcomer, !shared, ledger.totalBytes + bytes > limits.vendorBytes, evictOwnOldest(client, preferring: c, sparing: sparing) {
                continue
            } else {
                return .full(clients: limits.clients, bytes: limits.vendorBytes, protectedSeconds: limits.protectedSeconds)
            }
        }
        return nil
    }

    /// Drops the client's oldest item in `c`, else in its other collections; false when it
    /// has none left to drop (besides `sparing`).
    mutating func evictOwnOldest(_ client: String, preferring c: Int, sparing: Handle?) -> Bool {
        if evictOldest(c, client, sparing: sparing) { return true }
        for other in collections.indices where other != c {
            if evictOldest(other, client, sparing: sparing) { return true }
        }
        return false
    }

    @discardableResult
    mutating func evictOldest(_ c: Int, _ client: String, sparing: Handle?) -> Bool {
        guard let partition = collections[c].partitions[client] else { return false }
        for position in partition.head..<partition.order.count {
            let seq = partition.order[position]
            guard partition.records[seq] != nil else { continue }
            if let sparing, sparing.collection == c, sparing.owner == client, sparing.seq == seq { continue }
            remove(Handle(collection: c, owner: client, seq: seq, declared: false))
            return true
        }
        return false
    }

    /// Forgets everything one client stored, in every collection.
    mutating func forget(_ client: String) {
        for c in collections.indices {
            guard let partition = collections[c].partitions.removeValue(forKey: client) else { continue }
            if collections[c].spec.shared {
                for (seq, record) in partition.records { unindexShared(c, Handle(collection: c, owner: client, seq: seq, declared: false), record.value) }
            }
        }
        ledger.remove(client)
    }

    mutating func index(_ h: Handle, _ value: JSONValue, add: Bool) {
        let c = h.collection
        let shared = collections[c].spec.shared
        if shared && !add {
            unindexShared(c, h, value)
            return
        }
        for k in collections[c].spec.keys.indices {
            guard let text = keyText(c, key: k, of: value, owner: h.owner) else { continue }
            // A `set` that moves an item onto a key another item holds leaves that key to
            // its holder (an index entry is never taken from another item).
            if shared {
                if collections[c].sharedIndexes[k][text] == nil { collections[c].sharedIndexes[k][text] = h }
            } else if add {
                if collections[c].partitions[h.owner]!.indexes[k][text] == nil { collections[c].partitions[h.owner]!.indexes[k][text] = h.seq }
            } else if collections[c].partitions[h.owner]!.indexes[k][text] == h.seq {
                collections[c].partitions[h.owner]!.indexes[k][text] = nil
            }
        }
    }

    /// Indexes a carried item of a shared collection (a key the new file's items took stays theirs).
    mutating func reindexShared(_ h: Handle, _ value: JSONValue) {
        let c = h.collection
        for k in collections[c].spec.keys.indices {
            guard let text = keyText(c, key: k, of: value, owner: h.owner), collections[c].sharedIndexes[k][text] == nil else { continue }
            collections[c].sharedIndexes[k][text] = h
        }
    }

    mutating func unindexShared(_ c: Int, _ h: Handle, _ value: JSONValue) {
        for k in collections[c].spec.keys.indices {
            guard let text = keyText(c, key: k, of: value, owner: h.owner), collections[c].sharedIndexes[k][text] == h else { continue }
            collections[c].sharedIndexes[k][text] = nil
        }
    }

    mutating func compact(_ c: Int, _ client: String) {
        guard let partition = collections[c].partitions[client] else { return }
        var head = partition.head
        while head < partition.order.count, partition.records[partition.order[head]] == nil { head += 1 }
        collections[c].partitions[client]!.head = head
        guard partition.order.count > 64, partition.order.count > 2 * partition.records.count else { return }
        collections[c].partitions[client]!.order = partition.order[head...].filter { partition.records[$0] != nil }
        collections[c].partitions[client]!.head = 0
    }
}
