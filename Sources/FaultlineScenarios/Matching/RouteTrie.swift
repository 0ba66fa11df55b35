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
            if let next = nodes[node].literals[Array(text.utf8)] { return Int(next) }
            nodes.append(Node())
            nodes[node].literals.insert(Array(text.utf8), Int32(nodes.count - 1))
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
    private var slots: [Int32] = []
    private var keys: [[UInt8]] = []
    private var hashes: [UInt64] = []
    private var values: [Int32] = []

    var count: Int { keys.count }

    subscript(key: [UInt8]) -> Int32? {
        key.withUnsafeBufferPointer { self[$0] }
    }

    subscript(key: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard !slots.isEmpty else { return nil }
        let hash = Self.hash(key)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return nil }
            if hashes[entry] == hash, keys[entry].withUnsafeBufferPointer({ $0.elementsEqual(key) }) { return values[entry] }
            slot = (slot + 1) & mask
        }
    }

    /// Adds a key not yet in the table.
    mutating func insert(_ key: [UInt8], _ value: Int32) {
        keys.append(key)
        hashes.append(key.withUnsafeBufferPointer(Self.hash))
        values.append(value)
        // At most half full: probes stay short.
        if slots.count < keys.count * 2 {
            slots = [Int32](repeating: -1, count: max(4, (keys.count * 2).nextPowerOfTwo))
            for entry in keys.indices { place(entry) }
        } else {
            place(keys.count - 1)
        }
    }

    private mutating func place(_ entry: Int) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hashes[entry]) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(entry)
    }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        // FNV's low bits mix poorly; fold the high ones in, as the table indexes by the low.
        return hash ^ (hash >> 29)
    }
}

extension Int {
    fileprivate var nextPowerOfTwo: Int {
        self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}
