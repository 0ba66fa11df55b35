#if canImport(Glibc)
import Glibc
#endif
import FaultlineHTTP
import Synchronization

/// What templates can see of one request. Everything is looked up lazily: a response without
/// placeholders never parses the query or the body.
struct RenderContext {
    enum Value {
        case text(String)
        /// A whole number, written without a `String` on the way (rate limits, list counts).
        case integer(Int)
        case json(JSONValue)
        case missing
    }

    let request: HTTPRequest
    let pathParameters: [(name: String, value: Substring)]
    let scenarioParameter: String
    /// The limiter's state for this request, when its endpoint is rate limited.
    var rate: RateLimitState?
    /// The scope the endpoint requires, when a missing scope is being answered.
    var requiredScope: String?
    /// What a trigger found wrong, for `{{trigger.message}}`.
    var triggerMessage: String?
    /// The violation being answered, for `{{violation.*}}`.
    var violation: Violation?
    /// Every violation, rendered in the vendor's collection, for `{{violations}}`.
    var violations: JSONValue?
    /// What the state steps bound: `{{item}}`, `{{items}}`, `{{each}}`, `{{list.*}}`.
    var item: JSONValue?
    var items: [ResourceStore.Record]?
    var each: JSONValue?
    var listCounts: (total: Int, page: Int, limit: Int)?
    /// The request's client key, once known.
    var client: String?
    /// The vendor's settings (`{{setting.NAME}}`).
    var settings: [String: JSONValue] = [:]
    /// Draws for a response's declared delay range.
    /// Both unowned: only the engine sets them, to its own, and a context lives for one of
    /// its answers; owned, they cost four atomic reference-count operations a request.
    unowned(unsafe) var random: SeededRandom?
    /// The emulation's time (`{{now}}`, `{{epoch}}`); the real clock when nil.
    unowned(unsafe) var emulationClock: EmulationClock?
    /// Rendering an example for the live page: a `{{serial}}` shows the next number without
    /// taking it, so looking never changes what clients get.
    var preview = false
    private var parsedBody: JSONValue??
    private var clock: time_t?

    init(request: HTTPRequest, pathParameters: [(name: String, value: Substring)], scenarioParameter: String) {
        self.request = request
        self.pathParameters = pathParameters
        self.scenarioParameter = scenarioParameter
    }

    /// The placeholder's value: its source, else each alternative source in turn.
    mutating func resolve(_ placeholder: Placeholder) -> Value {
        let value = resolve(placeholder.source)
        guard case .missing = value else { return value }
        for alternative in placeholder.alternatives {
            let next = resolve(alternative)
            if case .missing = next { continue }
            return next
        }
        return .missing
    }

    mutating func resolve(_ source: TemplateSource) -> Value {
        switch source {
        case .path(let name):
            guard let raw = pathParameters.first(where: { $0.name == name })?.value else { return .missing }
            return .text(PercentDecoding.decode(raw, plusAsSpace: false))
        case .query(let name):
            // The scenario parameter is Faultline's, never the vendor's: templates never see it.
            guard name != scenarioParameter, name != ScenarioEngine.clientParameter, let query = request.query, let value = QueryString.first(name, in: query) else { return .missing }
            return .text(value)
        case .header(let name):
            guard let value = request.headers[name] else { return .missing }
            return .text(value)
        case .body(let components):
            guard let value = body() else { return .missing }
            return Self.lookup(components, in: value)
        case .item(let components):
            guard let item else { return .missing }
            return components.isEmpty ? .json(item.withoutHiddenFields) : Self.lookup(components, in: item)
        case .items:
            return items.map { .json(.array($0.map(\.value.withoutHiddenFields))) } ?? .missing
        case .each(let components):
            guard let each else { return .missing }
            return Self.lookup(components, in: each)
        case .list(let field):
            return listCounts.map { Self.value(of: field, in: $0) } ?? .missing
        case .client:
            return client.map { .text($0) } ?? .missing
        case .setting(let name):
            return settings[name].map { .json($0) } ?? .missing
        case .timeFromSetting(let name, let epoch):
            guard let value = settings[name], let seconds = value.numberValue else { return .missing }
            let t = Timestamps.shifted(now(), by: seconds)
            return .text(epoch ? String(t) : Timestamps.iso8601(t))
        case .method:
            return .text(request.method)
        case .requestPath:
            return .text(String(request.path))
        case .uuid, .objectId, .hexId, .shortId, .serial:
            return .text(preview && source == .serial ? Identifiers.nextSerial() : Identifiers.fresh(source))
        case .now(let offset):
            return .text(Timestamps.iso8601(Timestamps.shifted(now(), by: Double(offset))))
        case .epoch(let offset):
            return .text(String(Timestamps.shifted(now(), by: Double(offset))))
        case .rate(let field):
            return rate.map { Self.value(of: field, in: $0) } ?? .missing
        case .requiredScope:
            return requiredScope.map { .text($0) } ?? .missing
        case .triggerMessage:
            return triggerMessage.map { .text($0) } ?? .missing
        case .violation(let field):
            guard let violation, let value = violation.value(field) else { return .missing }
            return .text(value)
        case .violations:
            return violations.map { .json($0) } ?? .missing
        }
    }

    private static func value(of field: ListField, in counts: (total: Int, page: Int, limit: Int)) -> Value {
        switch field {
        case .total: .integer(counts.total)
        case .page: .integer(counts.page)
        case .limit: .integer(counts.limit)
        case .pages: .integer(Self.pages(counts))
        case .next: .json(counts.page < Self.pages(counts) ? .string(String(counts.page + 1)) : .null)
        case .hasNext: .json(.bool(counts.page < Self.pages(counts)))
        }
    }

    private static func value(of field: RateField, in rate: RateLimitState) -> Value {
        switch field {
        case .limit: .integer(rate.limit)
        case .remaining: .integer(rate.remaining)
        case .reset: .integer(rate.reset)
        case .retryAfter: rate.retryAfter.map { .integer($0) } ?? .missing
        }
    }

    private static func pages(_ counts: (total: Int, page: Int, limit: Int)) -> Int {
        counts.total > 0 && counts.limit > 0 ? (counts.total - 1) / counts.limit + 1 : 0
    }

    private static func lookup(_ components: [BodyPathComponent], in root: JSONValue) -> Value {
        var value = root
        for component in components {
            switch component {
            case .key(let key): guard let next = value[key] else { return .missing }; value = next
            case .index(let i): guard let next = value[i] else { return .missing }; value = next
            }
        }
        return .json(value)
    }

    private mutating func now() -> time_t {
        if let clock { return clock }
        let t = emulationClock?.wallSeconds() ?? time(nil)
        clock = t
        return t
    }

    mutating func body() -> JSONValue? {
        if let parsedBody { return parsedBody }
        let value = request.body.isEmpty ? nil : try? JSONParser.parse(request.body)
        parsedBody = .some(value)
        return value
    }
}

enum Identifiers {
    private static let hex = Array("0123456789abcdef".utf8)
    private static let alphanumerics = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// A fresh identifier of the kind a template source names.
    static func fresh(_ source: TemplateSource) -> String {
        switch source {
        case .objectId: objectId()
        case .hexId: hexId()
        case .shortId: shortId()
        case .serial: String(serial())
        default: uuid()
        }
    }

    /// A random (version 4) UUID in lowercase, as most vendors print them.
    static func uuid() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (i, byte) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let mixedAlphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    private static let counter = Atomic<Int>(100_000)

    static func shortId() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(decoding: (0..<7).map { _ in mixedAlphanumerics.randomElement(using: &generator)! }, as: UTF8.self)
    }

    static func serial() -> Int {
        counter.wrappingAdd(1, ordering: .relaxed).newValue
    }

    /// The number `serial()` gives next, not taken.
    static func nextSerial() -> String {
        String(counter.load(ordering: .relaxed) &+ 1)
    }

    /// 32 lowercase hex digits (a UUID's 128 bits without dashes).
    static func hexId() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(decoding: (0..<32).map { _ in hex[Int.random(in: 0..<16, using: &generator)] }, as: UTF8.self)
    }

    /// 24 lowercase alphanumerics, the shape of AfterShip's tracking ids.
    static func objectId() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(decoding: (0..<24).map { _ in alphanumerics.randomElement(using: &generator)! }, as: UTF8.self)
    }
}

enum Timestamps {
    /// The instants a template can name: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z, so every
    /// one has a four-digit year and no offset (`now+setting.NAME` with NAME 1e300) can overflow.
    static let range: ClosedRange<time_t> = -62_135_596_800...253_402_300_799

    /// `time` moved by `seconds`, within `range`.
    static func shifted(_ time: time_t, by seconds: Double) -> time_t {
        guard !seconds.isNaN else { return time }
        let target = Double(time) + seconds
        if target <= Double(range.lowerBound) { return range.lowerBound }
        if target >= Double(range.upperBound) { return range.upperBound }
        return time_t(target.rounded(.down))
    }

    /// `2026-11-21T19:25:02Z`
    /// `2026-11-21T19:25:02.123Z`
    static func iso8601(milliseconds time: Double) -> String {
        let seconds = time_t(time.rounded(.down))
        let millis = min(999, Int((time - Double(seconds)) * 1000))
        var stamp = iso8601(seconds)
        stamp.removeLast()
        return stamp + "." + String(repeating: "0", count: 3 - String(millis).count) + String(millis) + "Z"
    }

    static func iso8601(_ seconds: time_t) -> String {
        var t = seconds
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
    }
}
