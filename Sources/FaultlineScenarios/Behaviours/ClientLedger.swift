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

    /// Clients holding state ("", what belongs to everyone, is no client).
    var count: Int { slots.count - (slots[""] == nil ? 0 : 1) }

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
