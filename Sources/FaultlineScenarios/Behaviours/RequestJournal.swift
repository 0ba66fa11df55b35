#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import FaultlineHTTP

/// One answered request, as `GET /__faultline/requests` lists it.
public struct JournalEntry: Sendable {
    public var time: Double
    public var client: String
    public var method: String
    /// The request-target as sent (kept as is: recording must not allocate per request).
    public var target: String
    /// The path part of the target.
    public var path: Substring { HTTPRequest(method: method, target: target).path }
    public var vendor: String?
    public var endpoint: String?
    public var scenario: String?
    public var status: Int
    /// Sent on to the real API (`--proxy-unmatched`): the status is the upstream's. Known by
    /// its label and the missing endpoint rather than a field of its own: one more stored field
    /// made every entry dearer to build and move (callgrind).
    public var proxied: Bool { endpoint == nil && scenario == ScenarioEngine.proxiedLabel }
}

/// The last `capacity` requests, oldest dropped first. Bounded so a long CI run never grows
/// it (a journal that keeps everything is how mock servers reach gigabytes).
public final class RequestJournal: Sendable {
    public let capacity: Int
    private let state = Mutex<(entries: [JournalEntry], next: Int, total: Int)>(([], 0, 0))
    /// Until when (milliseconds since the epoch) answers are kept whole for a watcher (the live
    /// page, an agent): nobody watching costs a request one load of this.
    private let watchedUntil = Atomic<Int64>(0)
    /// The answers kept while watched, by journal sequence number, oldest first.
    private let captures = Mutex<[CapturedAnswer]>([])
    /// How many kept answers, and how much of each body.
    static let captureCapacity = 256
    static let captureBodyLimit = 64 * 1024

    public init(capacity: Int = 1_000) {
        self.capacity = capacity
    }

    /// Records an answered request; its sequence number (1 for the first ever recorded).
    @discardableResult
    func record(_ entry: consuming JournalEntry) -> Int {
        guard capacity > 0 else { return 0 }
        // Swapped into its slot, not copied: the entry's six strings are not retained again,
        // and the one it replaces is released after the lock.
        var entry = entry
        return state.withLock { state in
            if state.entries.count < capacity {
                state.entries.append(entry)
            } else {
                swap(&state.entries[state.next], &entry)
            }
            state.next = (state.next + 1) % capacity
            state.total += 1
            return state.total
        }
    }

    /// Entries oldest first, filtered; at most `limit` of the newest.
    public func entries(client: String? = nil, pathPrefix: String? = nil, limit: Int = .max) -> [JournalEntry] {
        numberedEntries(client: client, pathPrefix: pathPrefix, limit: limit).map(\.entry)
    }

    /// `entries`, each with its sequence number (what `captured(_:)` finds its answer by).
    public func numberedEntries(client: String? = nil, pathPrefix: String? = nil, limit: Int = .max) -> [(sequence: Int, entry: JournalEntry)] {
        let (all, total): ([JournalEntry], Int) = state.withLock { state in
            (state.entries.count < capacity ? state.entries : Array(state.entries[state.next...] + state.entries[..<state.next]), state.total)
        }
        let first = total - all.count + 1
        let filtered = all.enumerated().lazy.map { (sequence: first + $0.offset, entry: $0.element) }.filter { numbered in
            (client == nil || numbered.entry.client == client) && (pathPrefix == nil || numbered.entry.path.utf8.starts(with: pathPrefix!.utf8))
        }
        return Array(filtered.suffix(limit))
    }

    /// Keeps whole answers for `seconds` from `now` (a watcher asked for them).
    func watch(from now: Double, seconds: Double) {
        watchedUntil.store(Int64((now + seconds) * 1000), ordering: .relaxed)
    }

    @inline(__always)
    func isWatched(at time: Double) -> Bool {
        Int64(time * 1000) < watchedUntil.load(ordering: .relaxed)
    }

    /// Keeps the answer to request `sequence` (its body up to `captureBodyLimit`).
    func capture(_ sequence: Int, _ response: HTTPResponse) {
        let body = response.body.count > Self.captureBodyLimit ? Array(response.body.prefix(Self.captureBodyLimit)) : response.body
        let answer = CapturedAnswer(sequence: sequence, status: response.status, headers: response.headers, body: body, truncated: response.body.count > Self.captureBodyLimit)
        captures.withLock { captures in
            if captures.count >= Self.captureCapacity { captures.removeFirst(captures.count - Self.captureCapacity + 1) }
            captures.append(answer)
        }
    }

    /// Every answer kept, by sequence number.
    public func capturedAnswers() -> [Int: CapturedAnswer] {
        captures.withLock { captures in Dictionary(captures.map { ($0.sequence, $0) }, uniquingKeysWith: { _, newer in newer }) }
    }

    /// Forgets every entry; returns how many there were.
    @discardableResult
    public func clear() -> Int {
        // Numbering goes on: a request recorded before the clear and kept after it can never
        // lend its answer to a later request of the same number.
        let count = state.withLock { state in
            let count = state.entries.count
            state.entries = []
            state.next = 0
            return count
        }
        captures.withLock { $0.removeAll() }
        return count
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// An answer as the engine gave it (before compression), kept while someone watches.
public struct CapturedAnswer: Sendable {
    public let sequence: Int
    public let status: Int
    public let headers: HTTPHeaders
    public let body: [UInt8]
    public let truncated: Bool
}
