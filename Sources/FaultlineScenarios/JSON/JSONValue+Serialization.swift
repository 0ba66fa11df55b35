extension JSONValue {
    /// Compact serialisation, keys in order.
    public var serialized: [UInt8] {
        var out: [UInt8] = []
        serialize(into: &out)
        return out
    }

    public var serializedString: String { String(decoding: serialized, as: UTF8.self) }

    /// Appends the compact serialisation to `out`. The value is written into a scratch buffer
    /// with unchecked stores and appended in one copy: appending to the array piece by piece
    /// cost about 100 instructions a piece, and a listed resource has a hundred pieces.
    public func serialize(into out: inout [UInt8]) {
        var writer = JSONWriter(capacity: 1024)
        write(to: &writer)
        writer.flush(into: &out)
    }

    private func write(to writer: inout JSONWriter) {
        switch self {
        case .null: writer.append("null")
        case .bool(let b): writer.append(b ? "true" : "false")
        case .number(let text): writer.append(text)
        case .string(let s): writer.appendQuoted(s)
        case .array(let items):
            writer.append(UInt8(ascii: "["))
            for index in items.indices {
                if index > 0 { writer.append(UInt8(ascii: ",")) }
                items[index].write(to: &writer)
            }
            writer.append(UInt8(ascii: "]"))
        case .object(let members):
            writer.append(UInt8(ascii: "{"))
            for index in members.indices {
                if index > 0 { writer.append(UInt8(ascii: ",")) }
                writer.appendQuoted(members[index].key)
                writer.append(UInt8(ascii: ":"))
                members[index].value.write(to: &writer)
            }
            writer.append(UInt8(ascii: "}"))
        }
    }

    public static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        appendEscaped(s, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// JSON string escaping (RFC 8259 §7): quote, backslash and control characters; `/` and
    /// non-ASCII text are left as they are.
    public static func appendEscaped<S: StringProtocol>(_ s: S, to out: inout [UInt8]) {
        if s.utf8.withContiguousStorageIfAvailable({ appendEscaped(bytes: $0, to: &out) }) == nil {
            var copy = String(s)
            copy.withUTF8 { appendEscaped(bytes: $0, to: &out) }
        }
    }

    private static func appendEscaped(bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard JSONWriter.firstEscape(in: bytes, from: 0) != nil else {
            out.append(contentsOf: bytes)
            return
        }
        var writer = JSONWriter(capacity: bytes.count + 16)
        writer.appendEscaped(bytes)
        writer.flush(into: &out)
    }
}

/// A growable byte buffer written with unchecked stores; the serializer's scratch space.
private struct JSONWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    consuming func flush(into out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
    }

    private mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    @inline(never)
    private mutating func grow(to needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ text: String) {
        if text.utf8.withContiguousStorageIfAvailable({ append($0) }) == nil {
            for byte in text.utf8 { append(byte) }
        }
    }

    mutating func appendQuoted(_ s: String) {
        append(UInt8(ascii: "\""))
        if s.utf8.withContiguousStorageIfAvailable({ appendEscaped($0) }) == nil {
            var copy = s
            copy.withUTF8 { appendEscaped($0) }
        }
        append(UInt8(ascii: "\""))
    }

    static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// The index of the first byte at or after `start` that needs an escape. Eight bytes are
    /// tested at a time (the "has a zero byte" and "has a byte less than n" word tricks), so
    /// plain text costs a few instructions per word rather than per byte.
    static func firstEscape(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = start
        if let base = UnsafeRawPointer(bytes.baseAddress) {
            while index + 8 <= bytes.count {
                let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                let control = (word &- ones &* 0x20) & ~word
                let zeroQuote = (quote &- ones) & ~quote
                let zeroBackslash = (backslash &- ones) & ~backslash
                if (control | zeroQuote | zeroBackslash) & highs != 0 {
                    for candidate in index..<index + 8 where needsEscape(bytes[candidate]) { return candidate }
                }
                index += 8
            }
        }
        while index < bytes.count {
            if needsEscape(bytes[index]) { return index }
            index += 1
        }
        return nil
    }

    /// Runs that need no escape, nearly all text, are copied whole.
    mutating func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        while let index = Self.firstEscape(in: bytes, from: runStart) {
            append(UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            appendEscape(of: bytes[index])
            runStart = index + 1
        }
        append(UnsafeBufferPointer(rebasing: bytes[runStart...]))
    }

    private mutating func appendEscape(of byte: UInt8) {
        let short: UInt8
        switch byte {
        case UInt8(ascii: "\""): short = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): short = UInt8(ascii: "\\")
        case 0x0A: short = UInt8(ascii: "n")
        case 0x0D: short = UInt8(ascii: "r")
        case 0x09: short = UInt8(ascii: "t")
        case 0x08: short = UInt8(ascii: "b")
        case 0x0C: short = UInt8(ascii: "f")
        default:
            let hex: StaticString = "0123456789abcdef"
            for piece in [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                          hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 0xF)]] {
                append(piece)
            }
            return
        }
        append(UInt8(ascii: "\\"))
        append(short)
    }
}
