import FaultlineHTTP

/// A body or header value prepared at load time: literal bytes with holes. A template with
/// no placeholders is one literal, sent without any work per request.
extension TemplateSource {
    /// Sources whose value is always a number, emitted unquoted in a whole-string placeholder.
    var isNumeric: Bool {
        switch self {
        case .epoch, .rate, .list, .serial: true
        case .timeFromSetting(_, let epoch): epoch
        default: false
        }
    }
}

struct CompiledTemplate: Sendable {
    enum Segment: Sendable {
        case literal([UInt8])
        /// Inside a JSON string: the value's text, JSON-escaped.
        case escapedText(Placeholder)
        /// A whole JSON string that is one placeholder: a typed JSON value.
        case jsonValue(Placeholder)
        /// Plain text (header values, text bodies): the value's text as is.
        case rawText(Placeholder)
    }

    var segments: [Segment]

    /// The bytes when nothing varies per request.
    var staticBytes: [UInt8]? {
        if segments.isEmpty { return [] }
        if segments.count == 1, case .literal(let bytes) = segments[0] { return bytes }
        return nil
    }

    var placeholders: [Placeholder] {
        segments.compactMap {
            switch $0 {
            case .literal: nil
            case .escapedText(let p), .jsonValue(let p), .rawText(let p): p
            }
        }
    }

    /// Compiles a JSON body: compact serialisation, file order, strings templated.
    static func json(_ value: JSONValue) -> CompiledTemplate {
        var builder = Builder()
        builder.add(value)
        return builder.finish()
    }

    /// Bytes sent as they are (a `literal` response's body or header value).
    static func literal(_ bytes: [UInt8]) -> CompiledTemplate {
        var builder = Builder()
        builder.literal(bytes)
        return builder.finish()
    }

    /// Compiles plain text (a `text` body or a header value).
    static func text(_ text: String) -> CompiledTemplate {
        var builder = Builder()
        for part in (try? TemplateString.parse(text).get()) ?? [.literal(text)] {
            switch part {
            case .literal(let s): builder.literal(Array(s.utf8))
            case .placeholder(let p): builder.segment(.rawText(p))
            }
        }
        return builder.finish()
    }

    private struct Builder {
        var segments: [Segment] = []
        var current: [UInt8] = []

        mutating func literal(_ bytes: [UInt8]) { current.append(contentsOf: bytes) }

        mutating func segment(_ segment: Segment) {
            if !current.isEmpty { segments.append(.literal(current)) }
            current = []
            segments.append(segment)
        }

        mutating func finish() -> CompiledTemplate {
            if !current.isEmpty { segments.append(.literal(current)) }
            return CompiledTemplate(segments: segments)
        }

        mutating func add(_ value: JSONValue) {
            switch value {
            case .string(let s) where !TemplateString.mayHoldPlaceholder(s):
                JSONValue.appendQuoted(s, to: &current)
            case .string(let s):
                let parts = (try? TemplateString.parse(s).get()) ?? [.literal(s)]
                if parts.count == 1, case .placeholder(let p) = parts[0] {
                    segment(.jsonValue(p))
                    return
                }
                current.append(UInt8(ascii: "\""))
                for part in parts {
                    switch part {
                    case .literal(let text): JSONValue.appendEscaped(text, to: &current)
                    case .placeholder(let p): segment(.escapedText(p))
                    }
                }
                current.append(UInt8(ascii: "\""))
            case .array(let items):
                current.append(UInt8(ascii: "["))
                for (i, item) in items.enumerated() {
                    if i > 0 { current.append(UInt8(ascii: ",")) }
                    add(item)
                }
                current.append(UInt8(ascii: "]"))
            case .object(let members):
                current.append(UInt8(ascii: "{"))
                for (i, member) in members.enumerated() {
                    if i > 0 { current.append(UInt8(ascii: ",")) }
                    JSONValue.appendQuoted(member.key, to: &current)
                    current.append(UInt8(ascii: ":"))
                    add(member.value)
                }
                current.append(UInt8(ascii: "}"))
            case .null, .bool, .number:
                value.serialize(into: &current)
            }
        }
    }

    func render(_ context: inout RenderContext, into out: inout [UInt8]) {
        for segment in segments {
            switch segment {
            case .literal(let bytes):
                out.append(contentsOf: bytes)
            case .escapedText(let p):
                switch context.resolve(p) {
                case .text(let s): JSONValue.appendEscaped(s, to: &out)
                case .integer(let n): out.appendDecimal(n)
                case .json(let v):
                    if case .string(let s) = v { JSONValue.appendEscaped(s, to: &out) } else { JSONValue.appendEscaped(v.serializedString, to: &out) }
                case .missing: if let fallback = p.fallback { JSONValue.appendEscaped(fallback, to: &out) }
                }
            case .rawText(let p):
                let text: String
                switch context.resolve(p) {
                case .text(let s): text = s
                case .integer(let n):
                    out.appendDecimal(n)
                    continue
                case .json(let v): text = v.stringValue ?? v.serializedString
                case .missing: text = p.fallback ?? ""
                }
                out.appendUTF8(text)
            case .jsonValue(let p):
                renderTyped(p, &context, into: &out)
            }
        }
    }

    private func renderTyped(_ p: Placeholder, _ context: inout RenderContext, into out: inout [UInt8]) {
        if case .items = p.source, let items = context.items {
            // Each listed item's bytes were written when it was stored.
            out.reserveCapacity(out.count + items.reduce(2 + items.count) { $0 + $1.shown.count } + 256)
            out.append(UInt8(ascii: "["))
            for index in items.indices {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: items[index].shown)
            }
            out.append(UInt8(ascii: "]"))
            return
        }
        let kind = p.fallbackKind
        switch context.resolve(p) {
        case .json(let value):
            value.serialize(into: &out)
        case .integer(let n):
            if p.source.isNumeric || kind == .number {
                out.appendDecimal(n)
            } else {
                out.append(UInt8(ascii: "\""))
                out.appendDecimal(n)
                out.append(UInt8(ascii: "\""))
            }
        case .text(let s):
            // Written unquoted only when it really is a number: an alternative source (a query
            // value) may stand in for a numeric one.
            if (p.source.isNumeric || kind == .number), JSONValue.isNumberLiteral(s) {
                out.appendUTF8(s)
            } else if kind == .bool, s == "true" || s == "false" {
                out.appendUTF8(s)
            } else {
                JSONValue.appendQuoted(s, to: &out)
            }
        case .missing:
            guard let fallback = p.fallback else {
                out.append(contentsOf: "null".utf8)
                return
            }
            if kind == .string { JSONValue.appendQuoted(fallback, to: &out) } else { out.appendUTF8(fallback) }
        }
    }
}
