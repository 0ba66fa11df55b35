import FaultlineHTTP
import Synchronization

/// Where a `{{ … }}` placeholder takes its value from.
enum TemplateSource: Sendable, Equatable {
    case path(String)
    case query(String)
    case header(String)
    case body([BodyPathComponent])
    case method
    case requestPath
    case uuid
    case objectId
    /// 32 lowercase hex digits, the shape of AfterShip's versioned-API tracking ids.
    case hexId
    /// Seven letters and digits, the shape of TrackBot's shipment ids (`Ye7KwZ3`).
    case shortId
    /// 100001, 100002, …: a number unique in this process (product ids, quote numbers).
    case serial
    case now(offset: Int)
    case epoch(offset: Int)
    /// The rate limiter's state for this request's key and endpoint group.
    case rate(RateField)
    /// The scope the endpoint requires (for a missing-scope answer).
    case requiredScope
    /// What the trigger that answered found wrong, in plain words (e.g. malformed JSON).
    case triggerMessage
    /// A property of the validation violation being answered.
    case violation(ViolationField)
    /// Every violation, as the vendor's list or map (a JSON value).
    case violations
    /// The stored item the state steps bound (whole, or a field of it).
    case item([BodyPathComponent])
    /// The page of stored items a `list` step found.
    case items
    /// The element a `forEach` step is at.
    case each([BodyPathComponent])
    /// Counts of the `list` step: total, page, limit, pages.
    case list(ListField)
    /// The request's client key (its API key, or `X-Faultline-Client`).
    case client
    /// A value from the vendor's `settings` (or `--set`).
    case setting(String)
    /// `now+setting.NAME` / `epoch+setting.NAME`: the time that many seconds from now.
    case timeFromSetting(String, epoch: Bool)
}

enum ListField: String, Sendable, Equatable, CaseIterable {
    case total, page, limit, pages
    /// The next page's number as a string cursor (`"2"`), or null on the last page.
    case next
    /// Whether a page follows this one (a JSON boolean).
    case hasNext
}

enum ViolationField: String, Sendable, Equatable, CaseIterable {
    case field, name, message, limit, expected, actual
}

enum RateField: String, Sendable, Equatable, CaseIterable {
    case limit, remaining, reset, retryAfter
}

enum BodyPathComponent: Sendable, Equatable {
    case key(String)
    case index(Int)
}

/// A class: a template's segments hand it to every rendering, and a struct of a source, an
/// array and an optional string was copied there each time (~100 instructions, callgrind).
final class Placeholder: Sendable, Equatable {
    let source: TemplateSource
    /// Further sources tried in order when `source` has no value: `{{a|b|fallback}}`.
    let alternatives: [TemplateSource]
    /// Text used when the source has no value.
    let fallback: String?
    /// The fallback was written in double quotes: a string even when it reads as a number.
    let quotedFallback: Bool

    /// The JSON kind the fallback declares, which a whole-string placeholder keeps.
    enum Kind: Sendable { case string, number, bool, null }

    /// Worked out once, not per rendering: it parses the fallback as a number.
    let fallbackKind: Kind

    init(source: TemplateSource, alternatives: [TemplateSource] = [], fallback: String? = nil, quotedFallback: Bool = false) {
        self.source = source
        self.alternatives = alternatives
        self.fallback = fallback
        self.quotedFallback = quotedFallback
        fallbackKind = Self.kind(of: fallback, quoted: quotedFallback)
    }

    static func == (a: Placeholder, b: Placeholder) -> Bool {
        a.source == b.source && a.alternatives == b.alternatives && a.fallback == b.fallback && a.quotedFallback == b.quotedFallback
    }

    private static func kind(of fallback: String?, quoted: Bool) -> Kind {
        guard let fallback, !quoted else { return .string }
        if fallback == "true" || fallback == "false" { return .bool }
        if fallback == "null" { return .null }
        if JSONValue.isNumberLiteral(fallback) { return .number }
        return .string
    }
}

enum TemplatePart: Sendable, Equatable {
    case literal(String)
    case placeholder(Placeholder)
}

/// Splits a string into literal text and `{{ source | fallback }}` placeholders.
enum TemplateString {
    /// The largest `now+N`/`epoch+N` offset a file may write: 100 years of seconds.
    static let maxTimeOffset = 3_155_760_000

    /// Whether `text` holds `{{` at all: most strings do not, and skip the parser.
    static func mayHoldPlaceholder(_ text: String) -> Bool {
        var previousBrace = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "{") {
                if previousBrace { return true }
                previousBrace = true
            } else {
                previousBrace = false
            }
        }
        return false
    }

    /// Parsed templates by text: the same placeholders recur across a catalog and are parsed
    /// by both the validator and the compiler, so each distinct string is parsed once.
    private static let cache = Mutex<[String: Result<[TemplatePart], SpecError>]>([:])

    static func parse(_ text: String) -> Result<[TemplatePart], SpecError> {
        guard mayHoldPlaceholder(text) else { return .success(text.isEmpty ? [] : [.literal(text)]) }
        if let cached = cache.withLock({ $0[text] }) { return cached }
        let parsed = parseUncached(text)
        cache.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[text] = parsed
        }
        return parsed
    }

    private static func parseUncached(_ text: String) -> Result<[TemplatePart], SpecError> {
        var parts: [TemplatePart] = []
        var rest = Substring(text)
        while let open = find("{{", in: rest) {
            if open.lowerBound > rest.startIndex { parts.append(.literal(String(rest[..<open.lowerBound]))) }
            let afterOpen = rest[open.upperBound...]
            guard let close = find("}}", in: afterOpen) else {
                return .failure(SpecError("unterminated placeholder '{{' in \"\(text)\""))
            }
            switch parsePlaceholder(afterOpen[..<close.lowerBound]) {
            case .success(let placeholder): parts.append(.placeholder(placeholder))
            case .failure(let error): return .failure(error)
            }
            rest = afterOpen[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        return .success(parts)
    }

    /// The first occurrence of a two-byte ASCII marker, found on UTF-8 bytes.
    private static func find(_ marker: StaticString, in text: Substring) -> Range<Substring.Index>? {
        let first = marker.utf8Start[0]
        let second = marker.utf8Start[1]
        let utf8 = text.utf8
        var i = utf8.startIndex
        while i != utf8.endIndex {
            let next = utf8.index(after: i)
            if utf8[i] == first, next != utf8.endIndex, utf8[next] == second {
                return i..<utf8.index(after: next)
            }
            i = next
        }
        return nil
    }

    private static func parsePlaceholder(_ inner: Substring) -> Result<Placeholder, SpecError> {
        // `source`, `source | fallback`, or `source | other.source | … | fallback`: every part
        // but the last of three or more is a source; the last is literal text.
        // On bytes: splitting the UTF-8 view into slices and trimming `Substring`s cost about
        // 3,000 instructions a placeholder, and every file's placeholders are parsed at load.
        var inner = inner
        let parts = inner.withUTF8 { bytes -> [String] in
            var parts: [String] = []
            var start = 0
            while true {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "|") { end += 1 }
                parts.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[bytes.trimmingWhitespace(start..<end)]), as: UTF8.self))
                guard end < bytes.count else { return parts }
                start = end + 1
            }
        }
        var sources: [TemplateSource] = []
        sources.reserveCapacity(max(1, parts.count - 1))
        for index in 0..<(parts.count > 2 ? parts.count - 1 : 1) {
            switch parseSource(parts[index]) {
            case .success(let s): sources.append(s)
            case .failure(let e): return .failure(e)
            }
        }
        var fallback = parts.count > 1 ? parts[parts.count - 1] : nil
        // `{{item.balance|"50.50"}}`: a quoted fallback stays a string.
        var quoted = false
        if let text = fallback, text.utf8.count >= 2, text.utf8.first == UInt8(ascii: "\""), text.utf8.last == UInt8(ascii: "\"") {
            fallback = String(text.dropFirst().dropLast())
            quoted = true
        }
        return .success(Placeholder(source: sources[0], alternatives: Array(sources.dropFirst()), fallback: fallback, quotedFallback: quoted))
    }

    private static func parseSource(_ text: String) -> Result<TemplateSource, SpecError> {
        // The literals below hold no dot but two: a dotted source goes straight to its head.
        let dot = text.utf8.firstIndex(of: UInt8(ascii: "."))
        if dot == nil {
            if let source = keyword(text) { return .success(source) }
        } else if text == "auth.scope" {
            return .success(.requiredScope)
        } else if text == "trigger.message" {
            return .success(.triggerMessage)
        }
        // `head.rest`: the head picks the source, so one split replaces trying every prefix.
        if let dot {
            let head = String(text[..<dot])
            let rest = String(text[text.utf8.index(after: dot)...])
            switch head {
            case "now+setting", "epoch+setting":
                return rest.isEmpty ? .failure(SpecError("'\(text)' needs a setting name")) : .success(.timeFromSetting(rest, epoch: head == "epoch+setting"))
            case "list":
                guard let list = ListField(rawValue: rest) else {
                    return .failure(SpecError("'\(text)': list values are \(ListField.allCases.map { "list." + $0.rawValue }.joined(separator: ", "))"))
                }
                return .success(.list(list))
            case "setting":
                return rest.isEmpty ? .failure(SpecError("'setting.' needs a setting name")) : .success(.setting(rest))
            case "item", "each", "body":
                switch parseBodyPath(rest, label: head + ".") {
                case .success(let components): return .success(head == "item" ? .item(components) : head == "each" ? .each(components) : .body(components))
                case .failure(let e): return .failure(e)
                }
            case "violation":
                guard let violation = ViolationField(rawValue: rest) else {
                    return .failure(SpecError("'\(text)': violation values are \(ViolationField.allCases.map { "violation." + $0.rawValue }.joined(separator: ", "))"))
                }
                return .success(.violation(violation))
            case "rate":
                guard let rate = RateField(rawValue: rest) else {
                    return .failure(SpecError("'\(text)': rate values are rate.limit, rate.remaining, rate.reset and rate.retryAfter"))
                }
                return .success(.rate(rate))
            case "path": return rest.isEmpty ? .failure(SpecError("'path.' needs a parameter name")) : .success(.path(rest))
            case "query": return rest.isEmpty ? .failure(SpecError("'query.' needs a parameter name")) : .success(.query(rest))
            case "header": return rest.isEmpty ? .failure(SpecError("'header.' needs a header name")) : .success(.header(rest))
            default: break
            }
        }
        for prefix in ["now", "epoch"] where text.utf8.starts(with: (prefix + "+").utf8) || text.utf8.starts(with: (prefix + "-").utf8) {
            let number = text.dropFirst(prefix.count)
            guard let offset = Int(number.hasPrefix("+") ? number.dropFirst() : number), (-Self.maxTimeOffset...Self.maxTimeOffset).contains(offset) else {
                return .failure(SpecError("'\(text)': the offset after \(prefix) must be whole seconds from -\(Self.maxTimeOffset) to \(Self.maxTimeOffset) (100 years), e.g. \(prefix)+3600"))
            }
            return .success(prefix == "now" ? .now(offset: offset) : .epoch(offset: offset))
        }
        return .failure(SpecError("unknown template source '\(text)' (use path.NAME, query.NAME, header.NAME, body.a.b[0], uuid, objectId, hexId, shortId, serial, item, item.a.b, items, each, each.a, list.total, list.page, list.limit, list.pages, list.next, list.hasNext, client, setting.NAME, now+setting.NAME, method, requestPath, now, now+N, epoch, epoch+N, rate.limit, rate.remaining, rate.reset, rate.retryAfter, auth.scope, trigger.message, violation.field, violation.name, violation.message, violation.limit, violation.expected, violation.actual, violations)"))
    }

    /// The sources named by one word.
    private static func keyword(_ text: String) -> TemplateSource? {
        switch text {
        case "uuid": return .uuid
        case "objectId": return .objectId
        case "hexId": return .hexId
        case "shortId": return .shortId
        case "serial": return .serial
        case "method": return .method
        case "requestPath": return .requestPath
        case "now": return .now(offset: 0)
        case "epoch": return .epoch(offset: 0)
        case "violations": return .violations
        case "item": return .item([])
        case "items": return .items
        case "each": return .each([])
        case "client": return .client
        default: return nil
        }
    }

    /// `a.b[0].c` → key a, key b, index 0, key c.
    /// On bytes: Character splitting and searching cost ~10,000 instructions a path, and
    /// splitting the UTF-8 view into arrays of slices ~2,900.
    private static func parseBodyPath(_ text: String, label: String = "body.") -> Result<[BodyPathComponent], SpecError> {
        var copy = text
        return copy.withUTF8 { bytes -> Result<[BodyPathComponent], SpecError> in
            var components: [BodyPathComponent] = []
            var start = 0
            while true {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: ".") { end += 1 }
                guard end > start else { return .failure(SpecError("'\(label)\(text)' has an empty name")) }
                var i = start
                while i < end, bytes[i] != UInt8(ascii: "[") { i += 1 }
                if i > start { components.append(.key(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))) }
                while i < end {
                    guard bytes[i] == UInt8(ascii: "[") else { return .failure(SpecError("'\(label)\(text)' has text after an [index]")) }
                    var close = i + 1
                    while close < end, bytes[close] != UInt8(ascii: "]") { close += 1 }
                    guard close < end, let index = Int(String(decoding: UnsafeBufferPointer(rebasing: bytes[(i + 1)..<close]), as: UTF8.self)), index >= 0 else {
                        return .failure(SpecError("'\(label)\(text)' has an invalid [index]"))
                    }
                    components.append(.index(index))
                    i = close + 1
                }
                guard end < bytes.count else { return .success(components) }
                start = end + 1
            }
        }
    }
}
