/// The header fields of one kind of response, worked out once: names, fixed values and their
/// lines. Headers made from it per response (`HTTPHeaders(plan:_:)`) are the wire bytes alone:
/// for a compiled answer with seven fields, making a `Field` (two strings) for each, then
/// destroying them, cost about as much as rendering the rest of the head (callgrind).
package final class FieldPlan: Sendable {
    let names: [String]
    /// A field's value when it is fixed; nil when each response renders it.
    let fixed: [String?]
    /// A fixed field's whole line ("name: value\r\n"); a rendered one's "name: ".
    let lines: [[UInt8]]
    /// Bytes the lines take, with room for each rendered value.
    let wireSize: Int
    /// The lines as they go out, cut where values are rendered: `chunks[k]` of `text` comes
    /// before the `k`th rendered value (of field `rendered[k]`), the last chunk after the last
    /// (each chunk after a value starts with its CRLF). Four copies for a head of seven
    /// fields, three of them rendered, instead of thirteen appends.
    let text: [UInt8]
    let chunks: [Range<Int>]
    let rendered: [Int]

    var count: Int { names.count }

    /// Nil when a name is one the server frames itself (`HTTPResponseWriter.isFramingHeader`):
    /// such a field is kept but never written, which only the general path does.
    package init?(_ fields: [(name: String, fixed: String?)]) {
        guard !fields.contains(where: { HTTPResponseWriter.isFramingHeader($0.name) }) else { return nil }
        names = fields.map(\.name)
        fixed = fields.map(\.fixed)
        lines = fields.map { field in
            var line: [UInt8] = []
            line.appendUTF8(field.name)
            line.append(UInt8(ascii: ":"))
            line.append(UInt8(ascii: " "))
            if let value = field.fixed {
                line.appendUTF8(value)
                line.append(.cr)
                line.append(.lf)
            }
            return line
        }
        wireSize = lines.reduce(0) { $0 + $1.count } + fields.count { $0.fixed == nil } * 24
        var text: [UInt8] = []
        var chunks: [Range<Int>] = []
        var rendered: [Int] = []
        var chunkStart = 0
        for (i, line) in lines.enumerated() {
            text.append(contentsOf: line)
            if fixed[i] == nil {
                chunks.append(chunkStart..<text.count)
                rendered.append(i)
                text.append(.cr)
                text.append(.lf)
                chunkStart = text.count - 2
            }
        }
        chunks.append(chunkStart..<text.count)
        self.text = text
        self.chunks = chunks
        self.rendered = rendered
    }

    /// The first field called `name` (of `length` UTF-8 bytes), case-insensitively.
    func index(of name: String, length: Int) -> Int? {
        for i in names.indices where names[i].utf8.count == length {
            if HTTPHeaders.equalsIgnoringCase(names[i], name) { return i }
        }
        return nil
    }
}

extension HTTPHeaders {
    /// The plan's fields, each rendered value written by `render(i, &wire)` after its
    /// "name: " (control characters are then dropped from it, RFC 9110 §5.5).
    package init(plan: FieldPlan, _ render: (Int, inout [UInt8]) -> Void) {
        fields = []
        var wire: [UInt8] = []
        wire.reserveCapacity(plan.wireSize)
        plan.text.withUnsafeBufferPointer { text in
            wire.append(contentsOf: UnsafeBufferPointer(rebasing: text[plan.chunks[0]]))
            for k in plan.rendered.indices {
                let start = wire.count
                render(plan.rendered[k], &wire)
                Self.dropForbidden(&wire, from: start)
                wire.append(contentsOf: UnsafeBufferPointer(rebasing: text[plan.chunks[k + 1]]))
            }
        }
        self.wire = wire
        wired = plan.count
        self.plan = plan
    }

    /// The same fields, made ordinary.
    init(materializing headers: HTTPHeaders) {
        self = headers
        materialize()
    }

    /// Calls `body` with the first value of `name` as bytes; false when there is no such
    /// field. A plan's rendered value is read in place, with no string made of it. (Not
    /// generic: unspecialised across modules, its `R?` was looked up in the runtime's
    /// metadata cache on every call.)
    package func withValue(of name: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) -> Bool {
        let length = name.utf8.count
        if let plan, let index = plan.index(of: name, length: length) {
            if var fixed = plan.fixed[index] {
                fixed.withUTF8(body)
            } else {
                wire.withUnsafeBufferPointer { bytes in body(UnsafeBufferPointer(rebasing: bytes[Self.renderedValue(plan, index, in: bytes)])) }
            }
            return true
        }
        guard var value = self[name] else { return false }
        value.withUTF8(body)
        return true
    }

    /// Where rendered field `index`'s value lies in the wire: its line follows the lines
    /// before it, and a rendered value holds no CR or LF, so it ends at the first CR.
    private static func renderedValue(_ plan: FieldPlan, _ index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var position = 0
        for i in 0..<index {
            if plan.fixed[i] != nil {
                position += plan.lines[i].count
            } else {
                position += plan.lines[i].count
                while bytes[position] != .cr { position += 1 }
                position += 2
            }
        }
        let start = position + plan.lines[index].count
        var end = start
        while bytes[end] != .cr { end += 1 }
        return start..<end
    }

    /// Every field, in order, the plan's made into `Field`s.
    var allFields: [Field] {
        guard let plan else { return fields }
        var all: [Field] = []
        all.reserveCapacity(plan.count + fields.count)
        for i in 0..<plan.count { all.append(Field(name: plan.names[i], value: planValue(plan, i))) }
        all.append(contentsOf: fields)
        return all
    }

    /// Whether every field's line is in `wire` (the writer then copies it whole).
    var allPrepared: Bool { plan == nil ? wired == fields.count : fields.isEmpty }

    /// The fields whose lines are not in `wire`, in order after those that are.
    var unpreparedFields: ArraySlice<Field> { plan == nil ? fields[wired...] : fields[...] }

    /// Turns plan-made fields into ordinary ones, before a change other than an append: the
    /// wire keeps their lines, as `appendPrepared` leaves them.
    mutating func materialize() {
        guard plan != nil else { return }
        fields = allFields
        plan = nil
    }

    /// The value of the plan's field `index`: its fixed text, or read from its line.
    func planValue(_ plan: FieldPlan, _ index: Int) -> String {
        if let fixed = plan.fixed[index] { return fixed }
        return wire.withUnsafeBufferPointer { bytes in
            String(decoding: UnsafeBufferPointer(rebasing: bytes[Self.renderedValue(plan, index, in: bytes)]), as: UTF8.self)
        }
    }
}
