/// A vendor's routes as a trie keyed by path segment, so that finding a request's endpoint
/// costs the same with ten endpoints or ten thousand: one table lookup per literal segment and
/// at most one step into a parameter, with no allocation.
///
/// The order a path is matched in is the one the routes had as a sorted list: at each segment
/// a literal beats a parameter (`/couriers/all` before `/couriers/{slug}`), and routes with
/// the same shape keep their file order. A depth-first walk that tries the literal child first
/// visits matching routes in exactly that order.
struct RouteTrie: Sendable {
    private struct Node: Sendable {
        var literals = LiteralTable()
        var parameter: Int32 = -1
        /// The routes (indices into the vendor's list) whose last segment ends here, in file order.
        var routes: [Int32] = []
    }

    private var nodes = [Node()]

    /// `routes[i]` is the segments of route `i`; the trie answers with those indices.
    init(_ routes: [[PathTemplate.Segment]]) {
        for (index, segments) in routes.enumerated() {
            var node = 0
            for segment in segments {
                node = child(of: node, for: segment)
            }
            nodes[node].routes.append(Int32(index))
        }
    }

    private mutating func child(of node: Int, for segment: PathTemplate.Segment) -> Int {
        switch segment {
        case .literal(let text):
            var text = text
            let next = text.withUTF8 { key -> Int32 in
                if let next = nodes[node].literals[key] { return next }
                nodes.append(Node())
                nodes[node].literals.insert(key, Int32(nodes.count - 1))
                return Int32(nodes.count - 1)
            }
            return Int(next)
        case .parameter:
            if nodes[node].parameter >= 0 { return Int(nodes[node].parameter) }
            nodes.append(Node())
            nodes[node].parameter = Int32(nodes.count - 1)
        }
        return nodes.count - 1
    }

    /// Calls `visit` with each route that matches the segments, in match order, until it
    /// returns true; returns whether one did. A parameter takes any non-empty segment.
    func match(_ path: PathSegments, from first: Int, visit: (Int) -> Bool) -> Bool {
        walk(0, path, first, visit)
    }

    private func walk(_ node: Int, _ path: PathSegments, _ depth: Int, _ visit: (Int) -> Bool) -> Bool {
        if depth == path.count {
            for route in nodes[node].routes where visit(Int(route)) { return true }
            return false
        }
        let segment = path[depth]
        if let next = nodes[node].literals[segment], walk(Int(next), path, depth + 1, visit) { return true }
        let parameter = nodes[node].parameter
        return parameter >= 0 && !segment.isEmpty && walk(Int(parameter), path, depth + 1, visit)
    }
}

/// Byte strings to small integers by open addressing on an FNV-1a hash: a literal segment (or
/// a vendor's mount) is found without making a `String` of the request's bytes.
struct LiteralTable: Sendable {
    private struct Entry {
        var start: Int32
        var count: Int32
        var hash: UInt64
        var value: Int32
    }

    private var slots: [Int32] = []
    /// Every key's bytes, one after another: one buffer, not an array per key.
    private var bytes: [UInt8] = []
    private var entries: [Entry] = []

    var count: Int { entries.count }

    subscript(key: [UInt8]) -> Int32? {
        key.withUnsafeBufferPointer { self[$0] }
    }

    subscript(key: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard !slots.isEmpty else { return nil }
        let hash = Self.hash(key)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        return bytes.withUnsafeBufferPointer { stored in
            while true {
                let index = Int(slots[slot])
                if index < 0 { return nil }
                let entry = entries[index]
                if entry.hash == hash, Int(entry.count) == key.count,
                   UnsafeBufferPointer(rebasing: stored[Int(entry.start)..<Int(entry.start + entry.count)]).elementsEqual(key) {
                    return entry.value
                }
                slot = (slot + 1) & mask
            }
        }
    }

    mutating func insert(_ key: [UInt8], _ value: Int32) {
        key.withUnsafeBufferPointer { insert($0, value) }
    }

    /// Adds a key not yet in the table.
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, _ value: Int32) {
        entries.append(Entry(start: Int32(bytes.count), count: Int32(key.count), hash: Self.hash(key), value: value))
        bytes.append(contentsOf: key)
        // At most half full: probes stay short.
        if slots.count < entries.count * 2 {
            slots = [Int32](repeating: -1, count: max(4, (entries.count * 2).nextPowerOfTwo))
            for index in entries.indices { place(index) }
        } else {
            place(entries.count - 1)
        }
    }

    private mutating func place(_ index: Int) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: entries[index].hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(index)
    }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let hash = FNV1a.hash(bytes)
        // FNV's low bits mix poorly; fold the high ones in, as the table indexes by the low.
        return hash ^ (hash >> 29)
    }
}

extension Int {
    fileprivate var nextPowerOfTwo: Int {
        self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}
