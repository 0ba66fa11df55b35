/// Byte strings to small integers by open addressing on an FNV-1a hash: a literal segment (or
/// a vendor's mount) is found without making a `String` of the request's bytes. A key may be
/// qualified by a parent number (the trie's node), so one table serves a whole trie.
struct LiteralTable: Sendable {
    private struct Entry {
        var start: Int32
        var count: Int32
        var hash: UInt64
        var parent: Int32
        var value: Int32
    }

    private var slots: [Int32] = []
    /// Every key's bytes, one after another: one buffer, not an array per key.
    private var bytes: [UInt8] = []
    private var entries: [Entry] = []

    var count: Int { entries.count }

    subscript(key: [UInt8]) -> Int32? {
        key.withUnsafeBufferPointer { self[$0, under: 0] }
    }

    subscript(key: UnsafeBufferPointer<UInt8>, under parent: Int32 = 0) -> Int32? {
        probe(hash: Self.hash(key, parent), parent: parent, count: key.count) { stored in
            UnsafeBufferPointer(rebasing: stored).equals(key)
        }
    }

    /// The value of the key equal to `key` with its ASCII letters lowercased (keys stored
    /// lowercased): a case-insensitive lookup that folds as it hashes and compares.
    func value(foldingASCII key: UnsafeBufferPointer<UInt8>) -> Int32? {
        var fnv = FNV1a()
        fnv.add(foldingASCII: key)
        return probe(hash: Self.mix(fnv.bits, 0), parent: 0, count: key.count) { stored in
            for i in 0..<key.count where stored[stored.startIndex + i] != FNV1a.foldASCII(key[i]) { return false }
            return true
        }
    }

    /// Walks the slots from `hash` to the entry of that hash, parent and length whose stored
    /// bytes `matches` accepts. Inlined, so each lookup's comparison is compiled into it.
    @inline(__always)
    private func probe(hash: UInt64, parent: Int32, count: Int, _ matches: (Slice<UnsafeBufferPointer<UInt8>>) -> Bool) -> Int32? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        return bytes.withUnsafeBufferPointer { stored in
            while true {
                let index = Int(slots[slot])
                if index < 0 { return nil }
                let entry = entries[index]
                if entry.hash == hash, entry.parent == parent, Int(entry.count) == count,
                   matches(stored[Int(entry.start)..<Int(entry.start + entry.count)]) {
                    return entry.value
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Room for `count` keys of `bytes` bytes in all, so that filling the table rehashes
    /// nothing.
    mutating func reserve(keys count: Int, bytes total: Int) {
        entries.reserveCapacity(count)
        bytes.reserveCapacity(total)
        let size = Swift.max(4, (count * 2).nextPowerOfTwo)
        guard slots.count < size else { return }
        slots = [Int32](repeating: -1, count: size)
        for index in entries.indices { place(index) }
    }

    mutating func insert(_ key: [UInt8], _ value: Int32) {
        key.withUnsafeBufferPointer { insert($0, under: 0, value) }
    }

    /// Adds a key not yet in the table.
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, under parent: Int32 = 0, _ value: Int32) {
        entries.append(Entry(start: Int32(bytes.count), count: Int32(key.count), hash: Self.hash(key, parent), parent: parent, value: value))
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

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>, _ parent: Int32) -> UInt64 {
        mix(FNV1a.hash(bytes), parent)
    }

    @inline(__always)
    private static func mix(_ fnv: UInt64, _ parent: Int32) -> UInt64 {
        var hash = fnv
        // The parent multiplied by a 64-bit odd constant (2^64 / golden ratio) spreads
        // neighbouring node numbers across the table.
        hash ^= UInt64(UInt32(bitPattern: parent)) &* 0x9E37_79B9_7F4A_7C15
        // FNV's low bits mix poorly; fold the high ones in, as the table indexes by the low.
        return hash ^ (hash >> 29)
    }
}

extension Int {
    fileprivate var nextPowerOfTwo: Int {
        self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}
