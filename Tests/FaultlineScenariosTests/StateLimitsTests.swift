import Synchronization
import Testing
import FaultlineHTTP
@testable import FaultlineScenarios

/// Stored state bounded in bytes and clients, and evicted fairly: a client's own writes evict
/// its own items; another client's need for room forgets only clients idle for the protected
/// time; and when all are recent, the newcomer is refused (issue 11).
@Suite struct StateLimitsTests {
    /// A clock the test moves.
    final class TestClock: Sendable {
        private let nanoseconds = Mutex<UInt64>(1_000_000_000)
        func advance(seconds: Double) { nanoseconds.withLock { $0 += UInt64(seconds * 1e9) } }
        var read: @Sendable () -> UInt64 { { self.nanoseconds.withLock { $0 } } }
    }

    static func spec(_ name: String = "things", keys: [[String]] = [["id"]], capacity: Int = 1_000, shared: Bool = false, items: [JSONValue] = []) -> CollectionSpec {
        CollectionSpec(name: name, keys: keys, capacity: capacity, shared: shared, items: items, jsonPath: "$.collections.\(name)")
    }

    static func item(_ id: String, _ extra: String = "") -> JSONValue {
        .object([JSONMember(key: "id", value: .string(id)), JSONMember(key: "note", value: .string(extra))])
    }

    @discardableResult
    static func insert(_ store: ResourceStore, _ client: String, _ value: JSONValue, collection: Int = 0) -> Result<(created: ResourceStore.Handle?, conflict: ResourceStore.Handle?), ResourceStore.Refusal> {
        store.transaction(client: client) { $0.insert(collection, value, client: client) }
    }

    static func ids(_ store: ResourceStore, _ client: String, collection: Int = 0) -> [String] {
        store.transaction(client: client) { $0.list(collection, client: client, filters: []).compactMap { $0.value["id"]?.stringValue } }
    }

    @Test func aClientsOwnWritesEvictItsOwnOldestItemsFirst() throws {
        var limits = StateLimits()
        limits.clientBytes = 4_000
        let store = ResourceStore(collections: [Self.spec()], limits: limits)
        Self.insert(store, "victim", Self.item("v1"))
        let note = String(repeating: "x", count: 600)
        for i in 0..<20 { #expect((try? Self.insert(store, "greedy", Self.item("g\(i)", note)).get()) != nil) }
        let kept = Self.ids(store, "greedy")
        #expect(kept.count < 20 && kept.last == "g19", "\(kept)")
        #expect(kept == (20 - kept.count..<20).map { "g\($0)" })
        #expect(store.usage(client: "greedy").client <= limits.clientBytes)
        #expect(Self.ids(store, "victim") == ["v1"])
    }

    @Test func anItemOverTheClientBudgetIsRefusedAndNothingIsEvictedForIt() {
        var limits = StateLimits()
        limits.clientBytes = 4_000
        let store = ResourceStore(collections: [Self.spec()], limits: limits)
        Self.insert(store, "a", Self.item("small"))
        guard case .failure(.itemTooLarge(let bytes, 4_000)) = Self.insert(store, "a", Self.item("big", String(repeating: "x", count: 5_000))) else {
            Issue.record("a 5 KB item was stored under a 4 KB budget")
            return
        }
        #expect(bytes > 5_000)
        #expect(Self.ids(store, "a") == ["small"])
    }

    @Test func aNewcomerIsRefusedWhileEveryClientIsRecentThenTakesTheIdlestPlace() throws {
        var limits = StateLimits()
        limits.clients = 3
        limits.protectedSeconds = 300
        let clock = TestClock()
        let store = ResourceStore(collections: [Self.spec()], limits: limits, clock: clock.read)
        for client in ["a", "b", "c"] {
            Self.insert(store, client, Self.item(client))
            clock.advance(seconds: 10)
        }
        guard case .failure(.full) = Self.insert(store, "flood-1", Self.item("f")) else {
            Issue.record("a fourth client was stored while three were recent")
            return
        }
        #expect(Self.ids(store, "a") == ["a"])
        // b and c stay active; a goes idle past the protected time and is the one forgotten.
        clock.advance(seconds: 280)
        Self.insert(store, "b", Self.item("b2"))
        Self.insert(store, "c", Self.item("c2"))
        clock.advance(seconds: 30)
        #expect((try? Self.insert(store, "flood-1", Self.item("f")).get()) != nil)
        #expect(Self.ids(store, "a") == [])
        #expect(Self.ids(store, "b") == ["b", "b2"])
        #expect(Self.ids(store, "c") == ["c", "c2"])
        #expect(store.usage().clients == 3)
    }

    @Test func readersGetNoPartitionOfTheirOwn() {
        var limits = StateLimits()
        limits.clients = 1
        let store = ResourceStore(collections: [Self.spec(items: [Self.item("declared")])], limits: limits)
        for i in 0..<100 {
            #expect(Self.ids(store, "reader-\(i)") == ["declared"])
            _ = store.transaction(client: "reader-\(i)") { $0.find(0, key: 0, text: CompositeKey.join(["declared"]), client: "reader-\(i)") }
        }
        #expect(store.usage().clients == 0)
        #expect((try? Self.insert(store, "writer", Self.item("w")).get()) != nil)
        #expect(Self.ids(store, "writer") == ["declared", "w"])
    }

    @Test func aSharedCollectionsCapacityIsPerOwner() throws {
        let store = ResourceStore(collections: [Self.spec(keys: [["id"]], capacity: 3, shared: true)])
        Self.insert(store, "victim", Self.item("victim-label"))
        for i in 0..<50 { Self.insert(store, "flood", Self.item("f\(i)")) }
        #expect(Self.ids(store, "victim") == ["victim-label"])
        #expect(Self.ids(store, "flood") == ["f47", "f48", "f49"])
        // The victim's key is still taken for everyone.
        guard case .success((nil, let holder?)) = Self.insert(store, "flood", Self.item("victim-label")) else {
            Issue.record("the victim's label was replaced")
            return
        }
        #expect(holder.owner == "victim")
    }

    @Test func compositeKeysNeverCollide() throws {
        let store = ResourceStore(collections: [Self.spec("labels", keys: [["@client", "key"]], shared: true)])
        let victim: JSONValue = .object([JSONMember(key: "key", value: .string("k\u{1F}z")), JSONMember(key: "id", value: .string("L1"))])
        let attacker: JSONValue = .object([JSONMember(key: "key", value: .string("z")), JSONMember(key: "id", value: .string("L2"))])
        #expect((try Self.insert(store, "acct", victim).get()).created != nil)
        #expect((try Self.insert(store, "acct\u{1F}k", attacker).get()).created != nil)
        #expect(CompositeKey.join(["acct", "k\u{1F}z"]) != CompositeKey.join(["acct\u{1F}k", "z"]))
    }

    @Test func anItemThatNestsItselfIsRefusedPastTheDepthLimit() {
        var limits = StateLimits()
        limits.itemDepth = 8
        let store = ResourceStore(collections: [Self.spec()], limits: limits)
        guard case .success((let handle?, nil)) = Self.insert(store, "a", Self.item("x")) else {
            Issue.record("not stored")
            return
        }
        var refusal: ResourceStore.Refusal?
        for _ in 0..<20 where refusal == nil {
            refusal = store.transaction(client: "a") { state in
                let current = state.record(handle)!.value
                return state.replace(handle, with: current.setting("prev", to: current))
            }
        }
        #expect(refusal == .itemTooDeep(depth: 9, limit: 8))
    }

    @Test func theVendorsBudgetEvictsTheWritersOwnItemsWhenOthersAreRecent() {
        var limits = StateLimits()
        // Each item costs about 1,440 bytes (its tree and its shown bytes): room for early's
        // four and two of late's at a time.
        limits.vendorBytes = 10_000
        limits.clientBytes = 10_000
        let store = ResourceStore(collections: [Self.spec()], limits: limits)
        let note = String(repeating: "y", count: 500)
        for i in 0..<4 { Self.insert(store, "early", Self.item("e\(i)", note)) }
        for i in 0..<20 { Self.insert(store, "late", Self.item("l\(i)", note)) }
        #expect(Self.ids(store, "early") == ["e0", "e1", "e2", "e3"])
        #expect(Self.ids(store, "late").last == "l19")
        #expect(store.usage().total <= limits.vendorBytes)
    }

    @Test func sequencePositionsAreKeptPerClientAndNeverClearedByOthers() {
        var limits = StateLimits()
        limits.clients = 3
        limits.sequencesPerClient = 2
        let clock = TestClock()
        let counters = SequenceCounters(limits: limits, clock: clock.read)
        #expect(counters.next(client: "victim", endpoint: "e", sequence: "500,500,default") == 0)
        #expect(counters.next(client: "victim", endpoint: "e", sequence: "500,500,default") == 1)
        for i in 0..<2 { #expect(counters.next(client: "other-\(i)", endpoint: "e", sequence: "500,default") == 0) }
        // The table is full of recent clients: a newcomer is refused, nobody is cleared.
        #expect(counters.next(client: "newcomer", endpoint: "e", sequence: "500,default") == nil)
        #expect(counters.next(client: "victim", endpoint: "e", sequence: "500,500,default") == 2)
        // A client's own sequences past its limit restart its own oldest.
        #expect(counters.next(client: "victim", endpoint: "e", sequence: "429,default") == 0)
        #expect(counters.next(client: "victim", endpoint: "f", sequence: "429,default") == 0)
        #expect(counters.next(client: "victim", endpoint: "e", sequence: "500,500,default") == 0)
        clock.advance(seconds: 301)
        #expect(counters.next(client: "victim", endpoint: "e", sequence: "500,500,default") == 1)
        #expect(counters.next(client: "newcomer", endpoint: "e", sequence: "500,default") == 0)
    }

    @Test func longSequencesAreKeptAsRuns() throws {
        let sequence = try #require(ScenarioSequence(parsing: "429*9999,default"))
        #expect(sequence.runs.count == 2)
        #expect(sequence.step(9_998) == "429")
        #expect(sequence.step(9_999) == "default")
        #expect(sequence.step(Int.max) == "default")
        #expect(ScenarioSequence(parsing: "429*9999,500*2") == nil)
    }
}

extension StateLimitsTests {
    @Test func twoChangesToADeclaredItemInOneRequestBothHold() throws {
        let declared: JSONValue = .object([JSONMember(key: "id", value: .string("1")), JSONMember(key: "total", value: .number("0"))])
        let store = ResourceStore(collections: [Self.spec(items: [declared])])
        let total = store.transaction(client: "a") { state -> JSONValue? in
            guard let handle = state.find(0, key: 0, text: CompositeKey.join(["1"]), client: "a") else { return nil }
            for _ in 0..<3 {
                let current = state.record(handle)!.value
                state.replace(handle, with: current.setting("total", to: current["total"]!.adding(.number("2"))!))
            }
            return state.record(handle)?.value["total"]
        }
        #expect(total == .number("6"))
        #expect(store.transaction(client: "b") { $0.list(0, client: "b", filters: []).map(\.value) } == [declared])
    }

    @Test func aListShowsEachItemAsLastStoredWithoutItsHiddenFields() throws {
        let store = ResourceStore(collections: [Self.spec()])
        let first: JSONValue = .object([JSONMember(key: "id", value: .string("1")), JSONMember(key: "_key", value: .string("k")), JSONMember(key: "n", value: .number("1"))])
        Self.insert(store, "a", first)
        let shown = store.transaction(client: "a") { state -> [String] in
            guard let handle = state.find(0, key: 0, text: CompositeKey.join(["1"]), client: "a") else { return [] }
            state.replace(handle, with: first.setting("n", to: .number("2")))
            return state.list(0, client: "a", filters: []).map { String(decoding: $0.shown, as: UTF8.self) }
        }
        #expect(shown == [#"{"id":"1","n":2}"#])
    }

    @Test func aWriteThatCannotFitErasesNothing() {
        var limits = StateLimits()
        limits.clientBytes = 8_000
        limits.vendorBytes = 16_000
        let store = ResourceStore(collections: [Self.spec(), Self.spec("other")], limits: limits)
        for i in 0..<5 { Self.insert(store, "a", Self.item("a\(i)")) }
        // Too large for a client at all: refused before anything of a's goes.
        guard case .failure(.itemTooLarge) = Self.insert(store, "a", Self.item("big", String(repeating: "x", count: 7_900)), collection: 1) else {
            Issue.record("stored")
            return
        }
        #expect(Self.ids(store, "a") == ["a0", "a1", "a2", "a3", "a4"])
        // The vendor full of recent clients: b's write is refused, and b keeps what it had.
        Self.insert(store, "b", Self.item("b0"))
        for i in 0..<12 { Self.insert(store, "c\(i)", Self.item("c", String(repeating: "y", count: 600))) }
        guard case .failure(.full) = Self.insert(store, "b", Self.item("b-big", String(repeating: "z", count: 3_000))) else {
            Issue.record("b's big item was stored in a full vendor")
            return
        }
        #expect(Self.ids(store, "b") == ["b0"])
        #expect(store.usage().total <= limits.vendorBytes)
    }

    @Test func growingASharedCollectionsOwnItemsIsChargedToTheVendor() {
        var limits = StateLimits()
        limits.vendorBytes = 20_000
        let declared: JSONValue = .object([JSONMember(key: "id", value: .string("shared-1")), JSONMember(key: "note", value: .string(""))])
        let store = ResourceStore(collections: [Self.spec(keys: [["id"]], shared: true, items: [declared])], limits: limits)
        var refusal: ResourceStore.Refusal?
        for i in 1...10 where refusal == nil {
            refusal = store.transaction(client: "a") { state in
                let handle = state.find(0, key: 0, text: CompositeKey.join(["shared-1"]), client: "a")!
                return state.replace(handle, with: declared.setting("note", to: .string(String(repeating: "n", count: 4_000 * i))))
            }
        }
        #expect(refusal != nil)
        #expect(store.usage().total <= limits.vendorBytes)
    }
}
