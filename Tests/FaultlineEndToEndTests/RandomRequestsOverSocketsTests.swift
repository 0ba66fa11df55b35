import Testing
import FaultlineHTTP
import FaultlineScenarios
import FaultlineTesting

/// A property over the wire: thousands of random but well-formed requests, to every endpoint
/// of every bundled vendor, with random scenarios, sequences, delays, slow bodies, pages,
/// clients, credentials, content types and bodies. Whatever they ask, every answer is a
/// well-formed HTTP response (a real status, Content-Length matching the body, header values
/// without control characters, JSON that parses where the type says JSON), and the server
/// answers its health check at the end. The seed is fixed, so a failure replays.
@Suite struct RandomRequestsOverSocketsTests {
    /// SplitMix64: the same seed gives the same requests.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    }

    struct Target {
        let method: String
        let path: String
        let names: [String]
    }

    /// Every endpoint under every base path, with the scenario names it offers (faults that
    /// break the connection on purpose left out: their answers are meant to be malformed).
    static func targets(_ catalog: ScenarioCatalog, _ random: inout Random) -> [Target] {
        let breaking: Set<String> = ["reset", "close", "close_mid_body", "malformed_chunked", "garbage", "hang"]
        return catalog.vendors.flatMap { vendor in
            vendor.endpoints.flatMap { endpoint in
                vendor.basePaths.map { base in
                    let names = (["default", "gateway_502", "gateway_503"] + endpoint.scenarios.map(\.name) + vendor.errors.filter { $0.endpoints == nil || $0.endpoints!.contains(endpoint.id) }.map(\.name)).filter { !breaking.contains($0.lowercased()) }
                    return Target(method: endpoint.method, path: "/\(vendor.name)\(base)\(endpoint.path)", names: names)
                }
            }
        }
    }

    static let words = ["x1", "PK123456", "usr_1", "1001", "12345", "LBL-1", "%2F", "%00", "%E2%82%AC", "a%20b", "9223372036854775807", "-1", "", "🙂", "{{uuid}}", "..", "%0d%0aX-Injected:%201"]

    static func fill(_ path: String, _ random: inout Random) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            guard segment.hasPrefix("{") else { return String(segment) }
            // "2024-04" keeps AfterShip's versioned base path matching most of the time.
            if segment == "{api_version}" { return random.chance(80) ? "2024-04" : random.pick(words) }
            let word = random.pick(words)
            return word.isEmpty ? "x" : word
        }.joined(separator: "/")
    }

    static func query(_ target: Target, _ random: inout Random) -> String {
        var pairs: [String] = []
        if random.chance(60) {
            let name: String
            switch random.below(5) {
            case 0: name = random.pick(target.names) + "," + random.pick(target.names)
            case 1: name = random.pick(target.names) + "*\(random.below(4) + 1),default"
            case 2: name = random.pick(["nope", "4", "999", "5000", "*", ",", "a*0", "a*99999"])
            default: name = random.pick(target.names)
            }
            pairs.append("scenario=" + name.split(separator: " ", omittingEmptySubsequences: false).joined(separator: "%20"))
        }
        if random.chance(8) { pairs.append("delay=" + random.pick(["5", "1-10", "lognormal:5:0.5", "1e300", "abc", "-1"])) }
        if random.chance(8) { pairs.append("dribble=" + random.pick(["64:1", "9223372036854775807:1", "1:1e13", "0:1"])) }
        if random.chance(30) { pairs.append("page=" + random.pick(["1", "2", "0", "-5", "9223372036854775807", "9223372036854775808", "1.5", "x"])) }
        if random.chance(30) { pairs.append(random.pick(["limit", "per_page"]) + "=" + random.pick(["1", "2", "100", "101", "0", "9223372036854775807", "abc"])) }
        if random.chance(10) { pairs.append("faultline_client=" + random.pick(["a", "a%1Fb", String(repeating: "c", count: 300)])) }
        if random.chance(10) { pairs.append(random.pick(["field", "slug", "tag", "status", "quote_id", "product"]) + "=" + random.pick(words)) }
        return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
    }

    static func json(_ random: inout Random, depth: Int = 0) -> String {
        switch depth > 3 ? random.below(4) : random.below(7) {
        case 0: return random.pick(["null", "true", "false"])
        case 1: return random.pick(["0", "-1", "1e300", "1e400", "12.50", "9223372036854775808", "0.1"])
        case 2: return "\"" + random.pick(["", "x", "PK123456", "dpd-de", "DE", "a@b.io", "PROD-001", "\\u0000", "\\r\\n", "\\u001f"]) + "\""
        case 3: return "\"" + String(random.pick(words).filter { $0 != "%" }) + "\""
        case 4: return "[" + (0..<random.below(4)).map { _ in json(&random, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            let keys = ["tracking", "tracking_number", "slug", "id", "user_id", "email", "sku", "name", "quantity", "items", "courier", "quote_id", "idempotency_key", "title", "balance"]
            var seen = Set<String>()
            let members = (0..<random.below(5)).compactMap { _ -> String? in
                let key = random.pick(keys)
                guard seen.insert(key).inserted else { return nil }
                return "\"\(key)\":" + json(&random, depth: depth + 1)
            }
            return "{" + members.joined(separator: ",") + "}"
        }
    }

    static func request(_ target: Target, _ random: inout Random) -> (head: String, body: [UInt8], method: String) {
        let method = random.chance(90) ? target.method : random.pick(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
        var headers = ["Host: faultline.test"]
        if random.chance(85) {
            let key = random.pick(["k", "test-key", "sandbox", "p2b", "account-1", "read-only-token", "shipping-read-token", ""])
            headers += random.chance(50) ? ["Authorization: \(random.pick(["Bearer", "bearer", "Basic"])) \(key)"] : ["aftership-api-key: \(key)", "as-api-key: \(key)", "X-API-Key: \(key)"]
        }
        if random.chance(20) { headers.append("X-Faultline-Client: " + random.pick(["c1", "c2", String(repeating: "z", count: 500)])) }
        if random.chance(10) { headers.append("X-Faultline-Scenario: " + random.pick(target.names)) }
        if random.chance(50) { headers.append("Accept: " + random.pick(["application/json", "*/*", "text/html", "application/json;q=0"])) }
        if random.chance(30) { headers.append("Accept-Encoding: " + random.pick(["gzip", "deflate", "identity;q=0, gzip", "br"])) }
        var body: [UInt8] = []
        if method != "GET", method != "HEAD", random.chance(80) {
            body = random.chance(90) ? Array(json(&random).utf8) : Array("{\"unterminated\": ".utf8)
            headers.append("Content-Type: " + random.pick(["application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded"]))
        }
        headers.append("Content-Length: \(body.count)")
        let target = fill(target.path, &random) + query(target, &random)
        return ("\(method) \(target) HTTP/1.1\r\n" + headers.joined(separator: "\r\n") + "\r\n\r\n", body, method)
    }

    static func check(_ response: TestResponse, _ request: String, head: Bool) {
        #expect((100...599).contains(response.status), "\(request)")
        for field in response.headers {
            #expect(!field.value.utf8.contains(where: HTTPHeaders.isForbiddenInValue), "\(field.name) in answer to \(request)")
        }
        // A HEAD answer has the head alone; a compressed body is checked by the compression tests.
        guard !head, response.headers["Content-Encoding"] == nil else { return }
        if !response.body.isEmpty, let type = response.headers["Content-Type"], type.contains("json") {
            #expect((try? JSONParser.parse(response.body)) != nil, "\(request) → \(response.status) \(response.text.prefix(200))")
        }
        if let length = response.headers["Content-Length"] {
            #expect(Int(length) == response.body.count, "\(request)")
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func randomWellFormedRequestsAlwaysGetWellFormedAnswers() throws {
        // Holds are cut to 20 ms: delays and slow bodies are asked for, not waited out.
        let server = try TestServer.start { $0.maxHold = 0.02 }
        defer { server.stop() }
        var random = Random(state: 20_261_202)
        let targets = Self.targets(server.engine.catalog, &random)
        #expect(targets.count > 50)
        var client = try server.client()
        var statuses: [Int: Int] = [:]
        for i in 0..<3_000 {
            let target = targets[i < targets.count ? i : random.below(targets.count)]
            let (head, body, method) = Self.request(target, &random)
            try client.send(Array(head.utf8) + body)
            let response = try client.readResponse(headRequest: method == "HEAD")
            statuses[response.status, default: 0] += 1
            Self.check(response, String(head.prefix { $0 != "\r" }), head: method == "HEAD")
            if response.headers["Connection"]?.lowercased() == "close" { client = try server.client() }
        }
        // The walk reached successes, vendor errors and Faultline's own answers alike.
        #expect(statuses.keys.contains { (200...299).contains($0) } && statuses.keys.contains { (400...499).contains($0) } && statuses.keys.contains { (500...599).contains($0) }, "\(statuses)")
        let health = try server.client().request("GET", "/__faultline/health")
        #expect(health.status == 200)
    }
}
