extension Array where Element == UInt8 {
    /// Appends `text`'s UTF-8 in one copy. `append(contentsOf: text.utf8)` walks the view
    /// generically and cost about 380 instructions for a two-digit number.
    @inlinable
    public mutating func appendUTF8(_ text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }

    /// `appendUTF8` for text read in place: native text (nearly all) is appended from its own
    /// buffer without the mutable copy `withUTF8` needs.
    @inlinable
    public mutating func appendUTF8(borrowing text: String) {
        if text.utf8.withContiguousStorageIfAvailable({ append(contentsOf: $0) }) == nil {
            appendUTF8(text)
        }
    }

    /// Appends `value` in decimal: no `String` made on the way (`String(n)` and its bytes cost
    /// ~290 instructions for a ten-digit number).
    @inlinable
    public mutating func appendDecimal(_ value: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        if magnitude < 10 {
            append(UInt8(ascii: "0") + UInt8(magnitude))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &digits) { raw in
            // Typed: appending raw bytes takes the generic path, ~200 instructions.
            let buffer = raw.bindMemory(to: UInt8.self)
            var start = buffer.count
            while magnitude > 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
        }
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Byte equality without `elementsEqual`'s generic walk (~200 instructions for a short key).
    @inlinable
    package func equals(_ other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard count == other.count else { return false }
        for i in 0..<count where self[i] != other[i] { return false }
        return true
    }
}
