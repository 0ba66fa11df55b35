/// How a vendor asks its clients to retry (a vendor file's `retry`): the rules Faultline judges
/// a client's behaviour by. Each part may quote the vendor's documentation in `source`, which
/// every finding repeats.
public struct RetrySpec: Sendable {
    /// Which answers may be retried, first match wins; an answer no rule matches is retryable
    /// when it is a 429, a 5xx or a broken connection, and not otherwise.
    public struct AnswerRule: Sendable {
        /// Catalog entries and scenarios by name (`courier_error`, `RATE_001`, `reset`).
        public var scenarios: [String]?
        public var statuses: [Int]?
        public var retryable: Bool
        public var source: String?
    }

    /// Where an answer says how long to wait before the next request.
    public enum WaitSource: Sendable, Equatable {
        /// Seconds in a header (`Retry-After`).
        case header(String)
        /// Unix seconds at which waiting is over, in a header (`X-RateLimit-Reset`).
        case resetHeader(String)
        /// Seconds in the JSON body at a dotted path (Price2b's `retry_after`).
        case body(String)
    }

    /// Operations that take an idempotency key, and where the key goes.
    public struct IdempotencyRule: Sendable {
        public var endpoints: [String]
        /// A top-level field of the JSON body (`idempotencyKey`).
        public var bodyField: String?
        public var header: String?
        public var source: String?
    }

    public var answers: [AnswerRule] = []
    public var wait: [WaitSource] = []
    public var waitSource: String?
    public var idempotency: [IdempotencyRule] = []
    /// Retries of one request must wait longer each time (exponential backoff).
    public var growingBackoff = true
    /// The shortest acceptable first retry after a failure that announced no wait, in seconds;
    /// 0, the default, asks for none (urllib3's Retry, well configured, sends its first retry
    /// at once and backs off from the second).
    public var minFirstDelay: Double = 0
    public var backoffSource: String?
    /// Attempts of one request (the first and its retries) beyond which a client is over budget.
    public var maxAttempts = 5
    public var description: String?

    public init() {}

    /// What a vendor without a `retry` section is judged by: 429, 5xx and broken connections
    /// are retryable, waits are announced in `Retry-After`, retries back off.
    public static let standard: RetrySpec = {
        var spec = RetrySpec()
        spec.wait = [.header("Retry-After")]
        return spec
    }()
}
