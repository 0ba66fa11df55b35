import Testing
import FaultlineHTTP
import FaultlineScenarios
import FaultlineTesting

/// AfterShip's versioned Tracking API (`/tracking/{YYYY-MM}`) as `aftership-tracking-sdk`
/// 10.0.1 meets it: flat bodies, the tracking itself in `data`, 32-character ids with
/// `legacy_id`, cursor pagination; and a vendor served at the root of a port of its own.
@Suite struct AfterShipVersionedOverSocketsTests {
    static let json = ("Content-Type", "application/json")
    /// Ten requests a second per key, as AfterShip allows, is fewer than these tests make.
    static var options: ScenarioEngine.Options {
        var options = ScenarioEngine.Options(rateLimitOverrides: [RateLimitOverride(vendor: "aftership", limit: 1_000, window: 1)])
        options.rootVendors = ["aftership", "trackbot"]
        return options
    }

    struct Session {
        let client: TestHTTPClient
        let key: String

        func call(_ method: String, _ target: String, _ body: String? = nil) throws -> TestResponse {
            try client.request(method, target, headers: [("as-api-key", key)] + (body == nil ? [] : [AfterShipVersionedOverSocketsTests.json]), body: body)
        }
    }

    static func value(_ response: TestResponse, _ path: String...) throws -> JSONValue {
        try response.json(at: path)
    }

    static func string(_ response: TestResponse, _ path: String...) throws -> String {
        try response.string(at: path)
    }

    static func isHex(_ text: String, count: Int) -> Bool {
        text.utf8.count == count && text.utf8.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }
    }

    @Test func aTrackingLivesFromCreateToDeleteInTheVersionedShape() throws {
        let server = try TestServer.start(options: Self.options)
        defer { server.stop() }
        let shop = Session(client: try server.client(of: "aftership"), key: "shop-v")
        let base = "/tracking/2026-07/trackings"

        let created = try shop.call("POST", base, #"{"tracking_number":"1234567890","slug":"dhl","title":"Order 7","destination_country_region":"DEU"}"#)
        #expect(created.status == 201)
        #expect(try Self.value(created, "meta") == .object([JSONMember(key: "code", value: .number("201"))]))
        let id = try Self.string(created, "data", "id")
        #expect(Self.isHex(id, count: 32))
        #expect(try Self.string(created, "data", "legacy_id").utf8.count == 24)
        #expect(try Self.string(created, "data", "tracking_number") == "1234567890")
        #expect(try Self.string(created, "data", "destination_country_region") == "DEU")
        #expect(try Self.value(created, "data", "tag") == .string("Pending"))
        #expect(try JSONParser.parse(created.body)["data"]?["tracking"] == nil)
        #expect(!created.text.contains("_retracks"))

        // The same slug + number: 4003, with the stored tracking as data.
        let duplicate = try shop.call("POST", base, #"{"tracking_number":"1234567890","slug":"dhl"}"#)
        #expect(duplicate.status == 400)
        #expect(try Self.value(duplicate, "meta") == (try JSONParser.parse(Array(#"{"code":4003,"type":"BadRequest","message":"Tracking already exists."}"#.utf8))))
        #expect(try Self.string(duplicate, "data", "id") == id)

        #expect(try Self.string(try shop.call("GET", "\(base)/\(id)"), "data", "title") == "Order 7")
        let updated = try shop.call("PUT", "\(base)/\(id)", #"{"title":"Renamed","destination_postal_code":"10115"}"#)
        #expect(try Self.string(updated, "data", "title") == "Renamed")
        #expect(try Self.string(updated, "data", "destination_postal_code") == "10115")
        #expect(try Self.string(updated, "data", "slug") == "dhl")

        // Retrack: 4013 while active; after mark-as-completed it works once, then 4016.
        #expect(try Self.value(try shop.call("POST", "\(base)/\(id)/retrack"), "meta", "code") == .number("4013"))
        let lost = try shop.call("POST", "\(base)/\(id)/mark-as-completed", #"{"reason":"LOST"}"#)
        #expect(lost.status == 200)
        #expect(try Self.value(lost, "data", "active") == .bool(false))
        #expect(try Self.string(lost, "data", "subtag") == "Exception_013")
        let retracked = try shop.call("POST", "\(base)/\(id)/retrack")
        #expect(retracked.status == 200)
        #expect(try Self.value(retracked, "data", "active") == .bool(true))
        #expect(try Self.string(retracked, "data", "id") == id)
        _ = try shop.call("POST", "\(base)/\(id)/mark-as-completed", #"{"reason":"DELIVERED"}"#)
        let again = try shop.call("POST", "\(base)/\(id)/retrack")
        #expect(again.text == #"{"meta":{"code":4016,"type":"BadRequest","message":"Retrack is not allowed. You can only retrack each shipment once."},"data":{}}"#)

        let deleted = try shop.call("DELETE", "\(base)/\(id)")
        #expect(deleted.status == 200)
        #expect(try Self.string(deleted, "data", "id") == id)
        let gone = try shop.call("GET", "\(base)/\(id)")
        #expect(gone.status == 404)
        #expect(gone.text == #"{"meta":{"code":4004,"type":"BadRequest","message":"Tracking does not exist."},"data":{}}"#)
    }

    @Test func requestsAreJudgedByTheVersionedAPIsRules() throws {
        let server = try TestServer.start(options: Self.options)
        defer { server.stop() }
        let shop = Session(client: try server.client(of: "aftership"), key: "shop-rules")
        let base = "/tracking/2026-07/trackings"

        // A v4-style wrapped body has no tracking_number at the top: 4007, not 4006.
        let wrapped = try shop.call("POST", base, #"{"tracking":{"tracking_number":"1234567890"}}"#)
        #expect(wrapped.text == #"{"meta":{"code":4007,"type":"BadRequest","message":"tracking_number is required."},"data":{}}"#)
        // The courier's extra field has its current name.
        let dpd = try shop.call("POST", base, #"{"tracking_number":"15501234567890","slug":"dpd-uk"}"#)
        #expect(try Self.string(dpd, "meta", "message") == "Missing or invalid value of the required fields for this courier. Besides tracking_number, also required: destination_postal_code")
        #expect(try Self.value(try shop.call("POST", base, #"{"tracking_number":"1Z999","slug":"ups"}"#), "meta", "code") == .number("4017"))
        #expect(try Self.value(try shop.call("POST", base, #"{"tracking_number":"1234567890","slug":"nope"}"#), "meta", "code") == .number("4010"))
        #expect(try Self.value(try shop.call("GET", "\(base)/bad!id"), "meta", "code") == .number("4015"))
        #expect(try Self.value(try shop.call("GET", "\(base)/\(String(repeating: "a", count: 129))"), "meta", "code") == .number("4015"))
        #expect(try Self.value(try shop.call("POST", base, "{not json"), "meta", "code") == .number("4001"))

        let couriers = try shop.call("GET", "/tracking/2026-07/couriers")
        #expect(couriers.text.contains(#""required_fields":["destination_postal_code"]"#))
        #expect(couriers.text.contains(#""service_from_country_regions":["GBR"]"#))
        #expect(!couriers.text.contains("tracking_postal_code"))
        let detected = try shop.call("POST", "/tracking/2026-07/couriers/detect", #"{"tracking_number":"1234567890"}"#)
        #expect(try Self.value(detected, "data", "total") == .number("1"))

        // An unknown API version, and v4's slug/number addressing, are AfterShip's 404.
        let notFound = #"{"meta":{"code":404,"type":"NotFound","message":"The URI requested is invalid or the resource requested does not exist."},"data":{}}"#
        for target in ["/tracking/2019-01/trackings", "/tracking/latest/couriers", "/tracking/2026-07/trackings/dhl/1234567890", "/tracking/2026-07/last_checkpoint/dhl/1"] {
            let response = try shop.call("GET", target)
            #expect(response.status == 404, "\(target)")
            #expect(response.text == notFound, "\(target)")
        }
        // Every listed version is served.
        #expect(try shop.call("GET", "/tracking/2024-04/couriers").status == 200)
        // /v4 keeps its own shapes.
        let v4 = try server.client(of: "aftership").request("POST", "/v4/trackings", headers: [("aftership-api-key", "shop-rules"), Self.json], body: #"{"tracking_number":"1234567890"}"#)
        #expect(v4.text == #"{"meta":{"code":4006,"type":"BadRequest","message":"tracking object is required."},"data":{}}"#)
    }

    @Test func theListPagesWithACursor() throws {
        let server = try TestServer.start(options: Self.options)
        defer { server.stop() }
        let shop = Session(client: try server.client(of: "aftership"), key: "shop-pages")
        let base = "/tracking/2026-07/trackings"
        for number in ["1000000001", "1000000002", "1000000003"] {
            #expect(try shop.call("POST", base, #"{"tracking_number":"\#(number)","slug":"dhl"}"#).status == 201)
        }
        let first = try shop.call("GET", "\(base)?limit=2")
        #expect(try Self.value(first, "data", "pagination") == (try JSONParser.parse(Array(#"{"total":3,"next_cursor":"2","has_next_page":true}"#.utf8))))
        #expect(try Self.value(first, "data", "trackings", "1", "tracking_number") == .string("1000000002"))
        let last = try shop.call("GET", "\(base)?limit=2&cursor=2")
        #expect(try Self.value(last, "data", "pagination") == (try JSONParser.parse(Array(#"{"total":3,"next_cursor":null,"has_next_page":false}"#.utf8))))
        #expect(try Self.value(last, "data", "trackings", "0", "tracking_number") == .string("1000000003"))
        #expect(try Self.value(try shop.call("GET", "\(base)?cursor=abc"), "meta", "code") == .number("4008"))
        #expect(try Self.value(try shop.call("GET", "\(base)?limit=201"), "meta", "code") == .number("4008"))
    }

    @Test func severalVendorsAtTheirOwnRootsShareStateAdminAndJournal() throws {
        let server = try TestServer.start(options: Self.options)
        defer { server.stop() }
        let aftership = Session(client: try server.client(of: "aftership"), key: "shared-key")
        let trackbot = try server.client(of: "trackbot")
        let main = try server.client()
        #expect(server.port(of: "aftership") != server.port(of: "trackbot"))
        #expect(server.port(of: "generic") == nil)

        let created = try aftership.call("POST", "/tracking/2026-07/trackings", #"{"tracking_number":"2000000001","slug":"dhl"}"#)
        let id = try Self.string(created, "data", "id")
        // The same vendor under /aftership on the main port sees the same stored tracking.
        let seen = try main.request("GET", "/aftership/tracking/2026-07/trackings/\(id)", headers: [("as-api-key", "shared-key")])
        #expect(try Self.string(seen, "data", "id") == id)

        #expect(try trackbot.request("GET", "/v1/couriers", headers: [("Authorization", "Bearer t")]).status == 200)
        // Each port is its vendor's alone: TrackBot's path on AfterShip's port is AfterShip's 404.
        let foreign = try aftership.call("GET", "/v1/couriers")
        #expect(foreign.status == 404)
        #expect(foreign.text.hasPrefix(#"{"meta":{"code":404,"#))
        // The admin API answers on every port.
        #expect(try trackbot.request("GET", "/__faultline/health").status == 200)
        let journal = server.requests()
        #expect(journal.contains { $0.vendor == "trackbot" && $0.target == "/v1/couriers" })
        #expect(journal.contains { $0.vendor == "aftership" && $0.endpoint == "versioned.createTracking" })
    }

    @Test func aRootVendorThatIsNotLoadedIsRefusedAtStart() throws {
        var options = ScenarioEngine.Options()
        options.rootVendors = ["nobody"]
        #expect(throws: (any Error).self) { try TestServer.start(options: options) }
    }
}
