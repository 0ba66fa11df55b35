import Synchronization

extension RequestValidator {
    /// The vendor's message templates per rule kind, parsed once for all its endpoints.
    /// An array by `ValidationKind.ordinal`, not a dictionary: a violation looks its template
    /// up on the request path, and hashing the kind cost more than rendering a short message.
    struct Messages: Sendable {
        fileprivate let templates: [[TemplatePart]]

        static let none = Messages(templates: [])

        subscript(kind: ValidationKind) -> [TemplatePart] { templates[kind.ordinal] }
    }

    /// A vendor's messages, parsed when the first endpoint with rules is compiled (endpoints
    /// compile lazily, on their first request) and then shared by its other endpoints.
    final class LazyMessages: Sendable {
        private let spec: ValidationSpec?
        private let parsed = Mutex<Messages?>(nil)

        init(_ spec: ValidationSpec?) {
            self.spec = spec
        }

        var value: Messages {
            parsed.withLock { parsed in
                if let parsed { return parsed }
                let messages = RequestValidator.messages(for: spec)
                parsed = messages
                return messages
            }
        }
    }

    static func messages(for spec: ValidationSpec?) -> Messages {
        Messages(templates: ValidationKind.allCases.map { kind in
            let text = spec?.messages[kind.rawValue] ?? defaultMessages[kind]!
            return (try? TemplateString.parse(text).get()) ?? [.literal(text)]
        })
    }

    static let defaultMessages: [ValidationKind: String] = [
        .required: "is required",
        .type: "must be of type {{violation.expected}}",
        .minimum: "must be greater than or equal to {{violation.limit}}",
        .maximum: "must be less than or equal to {{violation.limit}}",
        .exclusiveMinimum: "must be greater than {{violation.limit}}",
        .exclusiveMaximum: "must be less than {{violation.limit}}",
        .minLength: "must be at least {{violation.limit}} characters long",
        .maxLength: "must be at most {{violation.limit}} characters long",
        .pattern: "has an invalid format",
        .enum: "must be one of {{violation.expected}}",
        .format: "must be a valid {{violation.expected}}",
    ]

    /// Text with `{{violation.*}}` filled in (other placeholders take their fallback).
    ///
    /// Measured first and written once: appending part by part to a `String` regrew it and
    /// cost about 1,000 instructions for a one-line message.
    static func render(_ parts: [TemplatePart], _ violation: Violation) -> String {
        // A template of one part is that part's text as it is: no copy.
        if parts.count == 1 { return piece(parts[0], violation) }
        var count = 0
        for index in parts.indices {
            count += piece(parts[index], violation).utf8.count
        }
        return String(unsafeUninitializedCapacity: count) { buffer in
            var at = 0
            for index in parts.indices {
                let text = piece(parts[index], violation)
                let copied = text.utf8.withContiguousStorageIfAvailable { bytes -> Int in
                    if let source = bytes.baseAddress, let target = buffer.baseAddress {
                        (target + at).initialize(from: source, count: bytes.count)
                    }
                    return bytes.count
                }
                if let copied {
                    at += copied
                } else {
                    for byte in text.utf8 {
                        buffer[at] = byte
                        at += 1
                    }
                }
            }
            return at
        }
    }

    @inline(__always)
    private static func piece(_ part: TemplatePart, _ violation: Violation) -> String {
        switch part {
        case .literal(let text): text
        case .placeholder(let p):
            if case .violation(let field) = p.source, let value = violation.value(field) { value } else { p.fallback ?? "" }
        }
    }
}

extension ValidationKind {
    /// The kind's place in `allCases`.
    var ordinal: Int {
        switch self {
        case .required: 0
        case .type: 1
        case .minimum: 2
        case .maximum: 3
        case .exclusiveMinimum: 4
        case .exclusiveMaximum: 5
        case .minLength: 6
        case .maxLength: 7
        case .pattern: 8
        case .enum: 9
        case .format: 10
        }
    }
}
