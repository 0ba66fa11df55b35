/// FNV-1a (64-bit) over bytes: a cheap hash for tables and identities inside one process, not a
/// defence against chosen collisions. One place for what the route table, the retry judge's
/// request identities and the rate-limit bucket ids all hash with.
struct FNV1a {
    private(set) var bits: UInt64 = 0xcbf2_9ce4_8422_2325
    var value: Int { Int(truncatingIfNeeded: bits) }

    @inline(__always)
    mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) {
        var hash = bits
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        bits = hash
    }

    /// The bytes with ASCII capitals lowercased, as if they had been.
    @inline(__always)
    mutating func add(foldingASCII bytes: UnsafeBufferPointer<UInt8>) {
        var hash = bits
        for byte in bytes { hash = (hash ^ UInt64(Self.foldASCII(byte))) &* 0x0000_0100_0000_01B3 }
        bits = hash
    }

    @inline(__always)
    static func foldASCII(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    /// Text and a 0 after it: `GET` + `/a` differs from `GE` + `T/a`.
    mutating func add(_ text: String) {
        var text = text
        text.withUTF8 { add($0) }
        separate()
    }

    mutating func add(_ text: Substring) {
        var text = text
        text.withUTF8 { add($0) }
        separate()
    }

    /// A 0 byte: XOR with 0 leaves the state as it is, so only the multiply remains.
    private mutating func separate() {
        bits = bits &* 0x0000_0100_0000_01B3
    }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash = FNV1a()
        hash.add(bytes)
        return hash.bits
    }
}
