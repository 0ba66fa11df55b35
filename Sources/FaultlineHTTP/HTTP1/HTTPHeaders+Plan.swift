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

    /// Every field, in order, the plan's made into `Field`s.
    var allFields: [Field] {
        guard let plan else { return fields }
        var all: [Field] = []
        all.reserveCapacity(plan.count + fields.count)
        forEachPlanValue(plan) { i, value in all.append(Field(name: plan.names[i], value: value)) }
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
        var found = ""
        forEachPlanValue(plan, upTo: index) { found = $1 }
        return found
    }

    /// Calls `body` with each plan field's value (up to `last`), rendered ones read from
    /// their lines: a rendered value holds no CR or LF, so its line ends at the first CR.
    private func forEachPlanValue(_ plan: FieldPlan, upTo last: Int = .max, _ body: (Int, String) -> Void) {
        wire.withUnsafeBufferPointer { bytes in
            var position = 0
            for i in 0..<(last < plan.count ? last + 1 : plan.count) {
                if let fixed = plan.fixed[i] {
                    position += plan.lines[i].count
                    if i == last || last == .max { body(i, fixed) }
                    continue
                }
                let start = position + plan.lines[i].count
                var end = start
                while bytes[end] != .cr { end += 1 }
                position = end + 2
                if i == last || last == .max { body(i, String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)) }
            }
        }
    }
}
