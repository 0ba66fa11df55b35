/// Header fields in the order they arrived, with original case and duplicates kept.
/// Lookup is case-insensitive (RFC 9110 §5.1); nothing is ever folded into a dictionary.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (name: String, value: String)

    /// A struct rather than a tuple: an array of tuples is destroyed through the runtime's
    /// generic tuple witness (~50 instructions a field, callgrind), a struct's is compiled.
    @usableFromInline struct Field: Sendable {
        @usableFromInline var name: String
        @usableFromInline var value: String

        @inlinable init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    @usableFromInline var fields: [Field]
    /// The first `wired` fields as they go on the wire ("name: value\r\n" each), when a
    /// responder prepared them (`appendPrepared`): the writer then sends them in one copy
    /// instead of four appends per field. Only appending keeps it; any other change drops it.
    @usableFromInline var wire: [UInt8] = []
    @usableFromInline var wired = 0
    /// Set when the fields were made from a plan (`init(plan:_:)`): then the first
    /// `plan.count` fields are the plan's, their lines all of `wire`, and `fields` holds only
    /// those added after them. Their `Field`s (two strings each) are made only when something
    /// changes or walks the fields; a lookup reads a value from the wire.
    var plan: FieldPlan?

    public init() { fields = [] }

    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { Field(name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// A byte no field value may hold (RFC 9110 §5.5): a control character other than HTAB,
    /// or DEL. CR and LF would split the head; the others corrupt it for strict clients.
    @inline(__always)
    public static func isForbiddenInValue(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != 0x09) || byte == 0x7F
    }

    public var count: Int { (plan?.count ?? 0) + fields.count }
    public var isEmpty: Bool { count == 0 }

    public struct Iterator: IteratorProtocol {
        var base: IndexingIterator<[Field]>

        public mutating func next() -> (name: String, value: String)? {
            base.next().map { (name: $0.name, value: $0.value) }
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(base: allFields.makeIterator())
    }

    public mutating func reserveCapacity(_ n: Int) { fields.reserveCapacity(n) }

    /// Room for `n` fields and `wireBytes` of their prepared wire form.
    package mutating func reserveCapacity(_ n: Int, wireBytes: Int) {
        materialize()
        fields.reserveCapacity(n)
        wire.reserveCapacity(wireBytes)
    }

    /// Appends a field, keeping any existing ones of the same name.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Appends a field with its wire form `line` ("name: value\r\n", the value free of
    /// control characters), which the writer then copies as is. Once any field was added
    /// otherwise, the field is only added.
    package mutating func appendPrepared(name: String, value: String, line: [UInt8]) {
        materialize()
        if wired == fields.count {
            wire.append(contentsOf: line)
            wired += 1
        }
        fields.append(Field(name: name, value: value))
    }

    /// Appends a field whose value `render` writes as bytes: straight into the wire form
    /// after `prefix` ("name: "), its text made from there; with no prefix (a framing name,
    /// which the writer drops) the field is only added. Control characters are dropped from
    /// the value (RFC 9110 §5.5): one taken from a request must not split the head.
    package mutating func appendRendered(name: String, prefix: [UInt8]?, _ render: (inout [UInt8]) -> Void) {
        materialize()
        guard let prefix, wired == fields.count else {
            var value: [UInt8] = []
            render(&value)
            value.removeAll(where: Self.isForbiddenInValue)
            fields.append(Field(name: name, value: String(decoding: value, as: UTF8.self)))
            return
        }
        wire.append(contentsOf: prefix)
        let start = wire.count
        render(&wire)
        Self.dropForbidden(&wire, from: start)
        let value = wire.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start...]), as: UTF8.self) }
        wire.append(.cr)
        wire.append(.lf)
        wired += 1
        fields.append(Field(name: name, value: value))
    }

    /// Forgets the wire form, before a change other than an append.
    @inline(__always)
    private mutating func unprepare() {
        if wired > 0 {
            wire = []
            wired = 0
        }
    }

    /// Control characters dropped from a value just rendered at `start` (RFC 9110 §5.5).
    @inline(__always)
    static func dropForbidden(_ wire: inout [UInt8], from start: Int) {
        guard wire[start...].contains(where: isForbiddenInValue) else { return }
        var index = wire.count - 1
        while index >= start {
            if isForbiddenInValue(wire[index]) { wire.remove(at: index) }
            index -= 1
        }
    }

    /// Replaces every field of this name with one field (kept at the first one's position).
    public mutating func replaceOrAdd(name: String, value: String) {
        materialize()
        unprepare()
        if let first = fields.firstIndex(where: { Self.equalsIgnoringCase($0.name, name) }) {
            fields[first].value = value
            var index = fields.count - 1
            while index > first {
                if Self.equalsIgnoringCase(fields[index].name, name) { fields.remove(at: index) }
                index -= 1
            }
        } else {
            fields.append(Field(name: name, value: value))
        }
    }

    public mutating func remove(name: String) {
        materialize()
        unprepare()
        fields.removeAll { Self.equalsIgnoringCase($0.name, name) }
    }

    /// The first value of the field `name`, compared case-insensitively.
    public subscript(name: String) -> String? {
        // Lengths first: most fields differ in length, and a field read in place is not
        // retained as a loop's copy would be.
        let length = name.utf8.count
        if let plan, let i = plan.index(of: name, length: length) { return planValue(plan, i) }
        for i in fields.indices where fields[i].name.utf8.count == length {
            if Self.equalsIgnoringCase(fields[i].name, name) { return fields[i].value }
        }
        return nil
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        allFields.compactMap { Self.equalsIgnoringCase($0.name, name) ? $0.value : nil }
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// Whether a comma-separated list field (such as `Connection`) holds `token`, case-insensitively.
    public func containsToken(_ token: String, in name: String) -> Bool {
        if plan != nil { return HTTPHeaders(materializing: self).containsToken(token, in: name) }
        let length = name.utf8.count
        for field in fields where field.name.utf8.count == length && Self.equalsIgnoringCase(field.name, name) {
            for part in field.value.utf8.split(separator: UInt8(ascii: ",")) {
                if Self.equalsIgnoringCase(trimmed(part), token.utf8) { return true }
            }
        }
        return false
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.count == rhs.count
            && zip(lhs.allFields, rhs.allFields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// ASCII case-insensitive comparison without allocating lowercased copies. Names of
    /// different lengths (nearly every pair a lookup meets) differ at once; equal lengths are
    /// compared as two byte buffers (a generic walk over two UTF-8 views cost ten times more).
    @inlinable
    public static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        // Names mostly come spelled as looked up: equal strings compare without a byte loop.
        if a == b { return true }
        guard a.utf8.count == b.utf8.count else { return false }
        var a = a, b = b
        return a.withUTF8 { x in b.withUTF8 { y in equalsIgnoringCase(bytes: x, y) } }
    }

    @inlinable
    public static func equalsIgnoringCase(bytes a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where a[i] != b[i] {
            let lower = a[i] | 0x20
            if lower != b[i] | 0x20 || lower < UInt8(ascii: "a") || lower > UInt8(ascii: "z") { return false }
        }
        return true
    }

    @inlinable
    public static func equalsIgnoringCase<A: Collection, B: Collection>(_ a: A, _ b: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            if (x | 0x20) != (y | 0x20) { return false }
            let lower = x | 0x20
            if lower < UInt8(ascii: "a") || lower > UInt8(ascii: "z") { return false }
        }
        return true
    }
}

private func trimmed(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
    var slice = bytes
    while let first = slice.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { slice = slice.dropFirst() }
    while let last = slice.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { slice = slice.dropLast() }
    return slice
}
