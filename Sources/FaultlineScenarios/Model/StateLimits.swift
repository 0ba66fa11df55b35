/// How much state the server keeps, and how it makes room: per vendor, per client, and how
/// long an active client is protected from other clients' need for room.
public struct StateLimits: Sendable, Equatable {
    /// Bytes one client's stored items may take in one vendor; past it, the client's own
    /// oldest items go. An item larger than this is refused (507).
    public var clientBytes = 4 * 1024 * 1024
    /// Bytes all clients' stored items may take in one vendor.
    public var vendorBytes = 64 * 1024 * 1024
    /// Clients that may hold stored items in one vendor, and sequence positions in all.
    public var clients = 10_000
    /// A client active this recently (seconds) is never forgotten to make room for another:
    /// the newcomer gets 507 instead.
    public var protectedSeconds: Double = 300
    /// Scenario sequences one client may be part-way through; past it its oldest restarts.
    public var sequencesPerClient = 100
    /// Deepest nesting of a stored item (a `set` that stores the item inside itself grows one
    /// level per request).
    public var itemDepth = 64

    public init() {}
}
