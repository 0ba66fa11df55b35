#if canImport(Glibc)
import Glibc
#endif

/// Byte classes and searches the parser works with.
extension UInt8 {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")

    @inline(__always) var isControl: Bool { self < 0x20 || self == 0x7F }

    @inline(__always) var decimalValue: Int? {
        self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") ? Int(self - UInt8(ascii: "0")) : nil
    }

    @inline(__always) var hexValue: Int? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(self - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(self - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(self - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// tchar from RFC 9110 §5.6.2: ALPHA, DIGIT and ``!#$%&'*+-.^_`|~``, as two 64-bit masks
    /// (bytes 0–63, 64–127). A table in a global array went through `swift_once` for every
    /// byte of every field name (~400 instructions a request with four fields, callgrind).
    @inline(__always) var isTokenChar: Bool {
        if self < 64 { return (0x03FF_6CFA_0000_0000 as UInt64) >> UInt64(self) & 1 == 1 }
        if self < 128 { return (0x57FF_FFFF_C7FF_FFFE as UInt64) >> UInt64(self &- 64) & 1 == 1 }
        return false
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// `range` without leading and trailing spaces and tabs (HTTP's optional whitespace).
    @inline(__always)
    package func trimmingWhitespace(_ range: Range<Int>) -> Range<Int> {
        var start = range.lowerBound, end = range.upperBound
        while start < end, self[start] == .space || self[start] == .tab { start += 1 }
        while end > start, self[end - 1] == .space || self[end - 1] == .tab { end -= 1 }
        return start..<end
    }

    /// Index of `byte` in `[from, min(limit, count))`, found with memchr.
    @inline(__always)
    func firstIndex(of byte: UInt8, from: Int, limit: Int) -> Int? {
        let end = Swift.min(limit, count)
        guard from < end, let base = baseAddress else { return nil }
        guard let hit = memchr(base + from, Int32(byte), end - from) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (HTTP's optional whitespace).
    public func trimmingWhitespace() -> Substring {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return s
    }
}
