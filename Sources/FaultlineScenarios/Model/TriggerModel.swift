/// What a vendor does by itself, without `?scenario=`: the checks its real API makes, each
/// answered with one of its own catalog entries. Declared per file under `triggers`.
public struct TriggerSpec: Sendable {
    /// Answer for a path under the vendor that matches no endpoint.
    public var unknownPath: String?
    /// Answer for a known path with a method it does not take (an `Allow` header is added).
    public var wrongMethod: String?
    /// Answer for a request body that is not valid JSON.
    public var malformedJSON: String?
    public var contentType: ContentTypeRule?
    public var auth: AuthSpec?
    public var rateLimits: RateLimitSpec?
    public var validation: ValidationSpec?
}

/// Requests with a body must say they send this media type.
public struct ContentTypeRule: Sendable {
    public var mediaType: String
    public var methods: [String]
    public var response: String
}

public struct AuthSpec: Sendable {
    public struct Credential: Sendable {
        /// The header that carries the key or token.
        public var header: String
        /// `Bearer` for `Authorization: Bearer <token>`; nil when the header holds the key itself.
        public var scheme: String?
        /// Only under these base paths (e.g. AfterShip's `as-api-key` on versioned paths); nil means all.
        public var basePaths: [String]?
    }

    public struct KeyProfile: Sendable {
        public var readOnly: Bool
        /// nil: every scope.
        public var scopes: [String]?
        /// false: the account has no plan (TrackBot's 402).
        public var plan: Bool
    }

    public var credentials: [Credential]
    /// Valid keys; with neither this nor `keysFromEnvironment`, any non-empty key is valid.
    public var keys: [String]?
    /// An environment variable holding comma-separated valid keys.
    public var keysFromEnvironment: String?
    public var profiles: [(key: String, profile: KeyProfile)]
    public var missing: String
    public var invalid: String
    public var readOnly: String?
    public var missingScope: String?
    public var noPlan: String?
    /// When authentication fails and the client did not accept this media type, answer with
    /// `response` instead (Price2b, a Laravel app, redirects such clients to its login page).
    public var unlessAccept: (mediaType: String, response: String)?
}

public struct RateLimitSpec: Sendable {
    public struct Group: Sendable {
        public var name: String
        public var limit: Int
        /// Seconds in which `limit` requests are allowed.
        public var window: Double
        /// The endpoint ids in this group; nil: every endpoint not in another group.
        public var endpoints: [String]?
    }

    public var groups: [Group]
    /// The catalog entry sent when a key has no request left.
    public var exceeded: String
}
