/// The clients that hold state in one table (a vendor's stored items, the sequence positions),
/// how many bytes each holds, and which was active least recently: what fair eviction needs.
///
/// A client's own writes past its own budget evict its own oldest entries (the table's
/// business). Room for *another* client is only ever made by forgetting a client that has been
/// idle for the protected time, least recently active first; when every client is recent, the
/// newcomer is refused instead. So one client flooding the server with new client names can
/// fill the table, but never erase what an active test has built.
struct ClientLedger {
    private struct Entry {
        var name: String
        var bytes: Int
        var lastActive: UInt64
        var older: Int32
        var newer: Int32
    }

    private static let none: Int32 = -1
    private var slots: [String: Int32] = [:]
    private var entries: [Entry] = []
    private var free: [Int32] = []
    /// Least recently active first.
    private var oldest = ClientLedger.none
    private var newest = ClientLedger.none
    private(set) var totalBytes = 0

    var count: Int { slots.count }

    func contains(_ client: String) -> Bool { slots[client] != nil }

    func bytes(of client: String) -> Int {
        slots[client].map { entries[Int($0)].bytes } ?? 0
    }

    /// Marks `client` active now (adding it with 0 bytes when new).
    mutating func touch(_ client: String, now: UInt64) {
        if let slot = slots[client] {
            entries[Int(slot)].lastActive = now
            unlink(slot)
            link(slot)
            return
        }
        let entry = Entry(name: client, bytes: 0, lastActive: now, older: Self.none, newer: Self.none)
        let slot: Int32
        if let reused = free.popLast() {
            slot = reused
            entries[Int(slot)] = entry
        } else {
            slot = Int32(entries.count)
            entries.append(entry)
        }
        slots[client] = slot
        link(slot)
    }

    mutating func add(_ delta: Int, to client: String) {
        guard let slot = slots[client] else { return }
        entries[Int(slot)].bytes += delta
        totalBytes += delta
    }

    /// The least recently active client other than `excluded` that has been idle at least
    /// `idle` nanoseconds, if any. "" (what belongs to everyone) is never one.
    func evictable(idle: UInt64, now: UInt64, excluding excluded: String) -> String? {
        var slot = oldest
        while slot != Self.none {
            let entry = entries[Int(slot)]
            // Ordered by activity: once one is too recent, all after it are.
            guard now &- entry.lastActive >= idle, entry.lastActive <= now else { return nil }
            if entry.name != excluded, !entry.name.isEmpty { return entry.name }
            slot = entry.newer
        }
        return nil
    }

    /// Whether forgetting evictable clients (as `evictable` picks them) could free `bytes`
    /// and `clients` places: asked before anything is evicted, so a write that cannot fit
    /// erases nothing. Stops as soon as the answer is yes.
    func reclaimable(idle: UInt64, now: UInt64, excluding excluded: String, bytes: Int, clients: Int) -> Bool {
        var freedBytes = 0
        var freedClients = 0
        var slot = oldest
        while freedBytes < bytes || freedClients < clients {
            guard slot != Self.none else { return false }
            let entry = entries[Int(slot)]
            guard now &- entry.lastActive >= idle, entry.lastActive <= now else { return false }
            if entry.name != excluded, !entry.name.isEmpty {
                freedBytes += entry.bytes
                freedClients += 1
            }
            slot = entry.newer
        }
        return true
    }

    mutating func remove(_ client: String) {
        guard let slot = slots.removeValue(forKey: client) else { return }
        totalBytes -= entries[Int(slot)].bytes
        unlink(slot)
        entries[Int(slot)].name = ""
        free.append(slot)
    }

    mutating func removeAll() {
        self = ClientLedger()
    }

    private mutating func link(_ slot: Int32) {
        entries[Int(slot)].older = newest
        entries[Int(slot)].newer = Self.none
        if newest != Self.none { entries[Int(newest)].newer = slot } else { oldest = slot }
        newest = slot
    }

    private mutating func unlink(_ slot: Int32) {
        let entry = entries[Int(slot)]
        if entry.older != Self.none { entries[Int(entry.older)].newer = entry.newer } else { oldest = entry.newer }
        if entry.newer != Self.none { entries[Int(entry.newer)].older = entry.older } else { newest = entry.older }
    }
}

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

/// Client names as tables key them: a name longer than `maxLength` bytes is kept as its length
/// and a hash (seeded per process), so 16 KB client headers cannot make a table's keys cost
/// gigabytes.
enum ClientName {
    static let maxLength = 128

    static func stored(_ name: String) -> String {
        name.utf8.count <= maxLength ? name : "#\(name.utf8.count):\(name.hashValue)"
    }
}

/// Several strings as one key that no other list of strings produces: each part is written
/// with its length first (`3:abc1:d`). Joining with a separator instead lets a part that
/// contains the separator pose as two parts (a client named `acct\u{1F}k` and key `z`
/// matching client `acct` and key `k\u{1F}z`).
enum CompositeKey {
    static func join<S: Sequence>(_ parts: S) -> String where S.Element == String {
        var key = ""
        for part in parts {
            key += String(part.utf8.count)
            key += ":"
            key += part
        }
        return key
    }
}
