import Testing
import FaultlineHTTP
@testable import FaultlineScenarios

@Suite struct RouteTrieTests {
    private static func template(_ text: String) -> [PathTemplate.Segment] {
        try! PathTemplate.parse(text, allowEmpty: true).get().segments
    }

    /// The routes `path` matches, in the order the trie offers them.
    private static func visits(_ trie: RouteTrie, _ path: Substring) -> [Int] {
        var seen: [Int] = []
        _ = PathSegments.with(path) { segments in trie.match(segments, from: 0) { seen.append($0); return false } }
        return seen
    }

    private static func segments(_ path: Substring) -> [String] {
        PathSegments.with(path) { segments in (0..<segments.count).map { String(decoding: segments[$0], as: UTF8.self) } }
    }

    @Test func offersMatchingRoutesLiteralBeforeParameterAndSameShapesInFileOrder() {
        let trie = RouteTrie([
            Self.template("/things/{id}"),
            Self.template("/things/all"),
            Self.template("/{kind}/all"),
            Self.template("/things/{other}"),
            Self.template("/things"),
            Self.template(""),
        ])
        #expect(Self.visits(trie, "/things/all") == [1, 0, 3, 2])
        #expect(Self.visits(trie, "/things/42") == [0, 3])
        #expect(Self.visits(trie, "/parcels/all") == [2])
        #expect(Self.visits(trie, "/things") == [4])
        #expect(Self.visits(trie, "/") == [])
        #expect(Self.visits(trie, "/things/42/x") == [])
    }

    @Test func aParameterNeverTakesAnEmptySegment() {
        let trie = RouteTrie([Self.template("/things/{id}/parts")])
        #expect(Self.visits(trie, "/things//parts") == [])
        #expect(Self.visits(trie, "/things/1/parts") == [0])
    }

    @Test func splitsPathsAsTheRouterAlwaysHas() {
        #expect(Self.segments("/a/b") == ["a", "b"])
        #expect(Self.segments("/a/b/") == ["a", "b"])
        #expect(Self.segments("/a//b") == ["a", "", "b"])
        #expect(Self.segments("/") == [""])
        #expect(Self.segments("") == [""])
        #expect(Self.segments("a/b") == ["a", "b"])
    }

    @Test func theLiteralTableFindsEveryKeyAndNothingElse() {
        var table = LiteralTable()
        for i in 0..<5_000 { table.insert(Array("r\(i)".utf8), Int32(i)) }
        #expect(table.count == 5_000)
        for i in stride(from: 0, to: 5_000, by: 7) { #expect(table[Array("r\(i)".utf8)] == Int32(i)) }
        #expect(table[Array("r5000".utf8)] == nil)
        #expect(table[Array("".utf8)] == nil)
        #expect(LiteralTable()[Array("r1".utf8)] == nil)
    }

    @Test func theSameSegmentUnderAnotherNodeIsAnotherKey() {
        var table = LiteralTable()
        let items = Array("items".utf8)
        for node in Int32(0)..<1_000 { items.withUnsafeBufferPointer { table.insert($0, under: node, node + 10_000) } }
        for node in Int32(0)..<1_000 { #expect(items.withUnsafeBufferPointer { table[$0, under: node] } == node + 10_000) }
        #expect(items.withUnsafeBufferPointer { table[$0, under: 1_000] } == nil)
        #expect(Array("item".utf8).withUnsafeBufferPointer { table[$0, under: 0] } == nil)
    }

    @Test func endpointValuesKeepOneCopyOfEachDistinctValue() {
        let groups = ["a", "b", "a", "c", "b"]
        var made = 0
        let values = EndpointValues(count: groups.count, key: { groups[$0] }) { i -> String in
            made += 1
            return groups[i].uppercased()
        }
        #expect((0..<5).map { values[$0] } == ["A", "B", "A", "C", "B"])
        #expect(made == 3)
        let same = EndpointValues(count: 3, key: { _ in 0 }) { _ in "only" }
        #expect((0..<3).map { same[$0] } == ["only", "only", "only"])
    }

    @Test func aLiteralRouteOfAnotherMethodLeavesThePathToAParameterRoute() throws {
        let endpoints = #"[{"id":"send","method":"POST","path":"/things/all","response":{"status":201,"body":"sent"}},{"id":"byId","method":"GET","path":"/things/{id}","response":{"status":200,"body":"by id {{path.id}}"}},{"id":"drop","method":"DELETE","path":"/things/{id}","response":{"status":204}}]"#
        let vendor = try ScenarioLoader.parse(VendorFile.make(endpoints: endpoints), file: "acme.json").get()
        let engine = try ScenarioEngine(catalog: ScenarioCatalog(vendors: [vendor]))
        #expect(engine.respond(to: .make("GET", "/acme/v1/things/all")).body == Array(#""by id all""#.utf8))
        #expect(engine.respond(to: .make("POST", "/acme/v1/things/all")).status == 201)
        let wrong = engine.respond(to: .make("PUT", "/acme/v1/things/all"))
        #expect(wrong.status == 405)
        #expect(wrong.headers["Allow"] == "POST, GET, DELETE, HEAD")
    }

    @Test func aVendorOfTenThousandEndpointsAnswersItsLastOneWithItsParameters() throws {
        let endpoints = (0..<10_000).map { #"{"id":"r\#($0)","method":"GET","path":"/r\#($0)/items/{id}","response":{"status":200,"body":"r\#($0) {{path.id}}"}}"# }
        let vendor = try ScenarioLoader.parse(VendorFile.make(endpoints: "[" + endpoints.joined(separator: ",") + "]"), file: "acme.json").get()
        let engine = try ScenarioEngine(catalog: ScenarioCatalog(vendors: [vendor]))
        #expect(engine.vendors[0].endpoints.compiledCount == 0)
        #expect(engine.respond(to: .make("GET", "/acme/v1/r9999/items/5")).body == Array(#""r9999 5""#.utf8))
        #expect(engine.respond(to: .make("GET", "/acme/v1/r0/items/abc")).body == Array(#""r0 abc""#.utf8))
        #expect(engine.respond(to: .make("GET", "/acme/v1/r10000/items/5")).status == 404)
        // Only the two endpoints reached were compiled; the 404 compiled none.
        #expect(engine.vendors[0].endpoints.compiledCount == 2)
    }

    @Test func loopsReachingANewEndpointAtOnceAllGetTheOneCompiledEndpoint() async throws {
        let endpoints = (0..<100).map { #"{"id":"r\#($0)","method":"GET","path":"/r\#($0)","response":{"status":200,"body":"r\#($0)"}}"# }
        let vendor = try ScenarioLoader.parse(VendorFile.make(endpoints: "[" + endpoints.joined(separator: ",") + "]"), file: "acme.json").get()
        let engine = try ScenarioEngine(catalog: ScenarioCatalog(vendors: [vendor]))
        let lazy = engine.vendors[0].endpoints
        let seen = await withTaskGroup(of: [ObjectIdentifier].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<100).map { ObjectIdentifier(lazy[$0]) } }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(seen.count == 8)
        #expect(Set(seen).count == 1)
        #expect(lazy.compiledCount == 100)
        #expect(engine.respond(to: .make("GET", "/acme/v1/r42")).body == Array(#""r42""#.utf8))
    }
}
