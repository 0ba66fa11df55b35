/// One check on one field of a request, declared on an endpoint under `validate`.
public struct ValidationRule: Sendable {
    public enum Location: String, Sendable { case body, query, path }
    public enum ValueType: String, Sendable, CaseIterable { case string, number, integer, boolean, object, array }
    public enum Format: String, Sendable, CaseIterable {
        case uuid
        /// ISO 3166-1 alpha-2.
        case country
        case email
        /// ISO 8601 / RFC 3339 date-time.
        case dateTime = "date-time"
    }

    public var location: Location
    /// Dotted path; `[*]` stands for every element of an array: `shipment.parcels[*].weight`.
    public var field: String
    /// How messages name the field (default: from the vendor's `nameStyle`).
    public var name: String?
    public var required: Bool
    public var type: ValueType?
    public var minimum: Double?
    public var maximum: Double?
    public var exclusiveMinimum: Double?
    public var exclusiveMaximum: Double?
    public var minLength: Int?
    public var maxLength: Int?
    public var pattern: String?
    public var enumValues: [String]?
    public var format: Format?
    /// This rule's message, instead of the vendor's message for the kind.
    public var message: String?
    /// The rule applies only when another body field has one of these values
    /// (AfterShip's per-courier requirements: `{"field": "tracking.slug", "in": ["ups"]}`).
    public var when: (field: String, values: [String])?
    /// A catalog entry that answers this rule's violation on its own (AfterShip's 4005, Flex Forward's 404 for a non-UUID id).
    public var response: String?
}

/// How a vendor renders violations (`triggers.validation`).
public struct ValidationSpec: Sendable {
    public enum Mode: String, Sendable { case all, first }
    public enum Collection: String, Sendable { case list, map }
    /// How messages name a field: the whole path, its last key as written, that key in words, or capitalised words.
    public enum NameStyle: String, Sendable { case path, key, words, capitalized }

    /// `all`: every violation in one response; `first`: only the first, as its own response.
    public var mode: Mode
    /// The catalog entry for violations.
    public var response: String
    /// Per rule kind (`required`, `pattern`, ...), another catalog entry (mode `first`).
    public var responses: [String: String]
    /// Where in that entry's body the violations go (mode `all`), e.g. `details` or `error.errors`.
    public var at: String?
    public var collection: Collection
    /// A list item, with `{{violation.field}}`, `{{violation.name}}`, `{{violation.message}}`.
    public var item: JSONValue?
    /// Message templates per rule kind.
    public var messages: [String: String]
    public var nameStyle: NameStyle
}

/// The kinds of rule a violation can come from, the keys of `messages` and `responses`.
public enum ValidationKind: String, Sendable, CaseIterable {
    case required, type, minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength, maxLength, pattern, `enum`, format
}
