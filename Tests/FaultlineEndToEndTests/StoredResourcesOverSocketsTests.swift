#if canImport(Glibc)
import Glibc
#endif
import Testing
import FaultlineHTTP
import FaultlineScenarios
import FaultlineTesting

/// Resources the bundled files store, with no `?scenario=`: what exists decides the answer.
@Suite struct StoredResourcesOverSocketsTests {
    static let json = ("Content-Type", "application/json")
    /// AfterShip allows 10 requests a second per key; these tests make more than that.
    static let roomy = ScenarioEngine.Options(rateLimitOverrides: [RateLimitOverride(vendor: "aftership", limit: 1_000, window: 1)])

    struct Session {
        let client: TestHTTPClient
        let headers: [(String, String)]

        func call(_ method: String, _ target: String, _ body: String? = nil) throws -> TestResponse {
            try client.request(method, target, headers: headers + (body == nil ? [] : [StoredResourcesOverSocketsTests.json]), body: body)
        }
    }

    static func value(_ response: TestResponse, _ path: String...) throws -> JSONValue {
        try response.json(at: path)
    }

    static func string(_ response: TestResponse, _ path: String...) throws -> String {
        try response.string(at: path)
    }

    // MARK: AfterShip

    @Test func afterShipTrackingsLiveFromCreateToDelete() throws {
        let server = try TestServer.start(options: Self.roomy)
        defer { server.stop() }
        let shop = Session(client: try server.client(), headers: [("aftership-api-key", "shop-a")])
        let base = "/aftership/v4/trackings"
        let tracking = #"{"tracking":{"slug":"dpd-de","tracking_number":"PK123456","title":"Order 1"}}"#

        let created = try shop.call("POST", base, tracking)
        #expect(created.status == 201)
        let id = try Self.string(created, "data", "tracking", "id")
        #expect(try Self.string(created, "data", "tracking", "title") == "Order 1")
        #expect(!created.text.contains("_retracks"))

        // The same slug + number again: 4003 with the stored tracking in data.tracking.
        let duplicate = try shop.call("POST", base, tracking)
        #expect(duplicate.status == 400)
        #expect(duplicate.headers["Faultline-Trigger"] == "state")
        #expect(try Self.value(duplicate, "meta") == Self.value(try shop.call("POST", base + "?scenario=4003", tracking), "meta"))
        #expect(try Self.value(duplicate, "data", "tracking") == Self.value(created, "data", "tracking"))

        #expect(try Self.string(try shop.call("GET", "\(base)/\(id)"), "data", "tracking", "tracking_number") == "PK123456")
        #expect(try Self.string(try shop.call("GET", "\(base)/dpd-de/PK123456"), "data", "tracking", "id") == id)
        let updated = try shop.call("PUT", "\(base)/\(id)", #"{"tracking":{"title":"Renamed"}}"#)
        #expect(try Self.string(updated, "data", "tracking", "title") == "Renamed")
        #expect(try Self.string(updated, "data", "tracking", "slug") == "dpd-de")

        // Unknown trackings: 4004 on every operation.
        let unknownID = "5b7658cec7c33c0e007de3c5"
        for (method, target) in [("GET", "\(base)/\(unknownID)"), ("PUT", "\(base)/dhl/0000000000"), ("DELETE", "\(base)/\(unknownID)"), ("POST", "\(base)/\(unknownID)/retrack")] {
            let response = try shop.call(method, target, method == "PUT" ? #"{"tracking":{"title":"x"}}"# : nil)
            #expect(response.status == 404, "\(method) \(target)")
            #expect(response.text == #"{"meta":{"code":4004,"type":"BadRequest","message":"Tracking does not exist."},"data":{}}"#)
        }

        // DELETE answers with the tracking it removed, never an empty 204.
        let deleted = try shop.call("DELETE", "\(base)/dpd-de/PK123456")
        #expect(deleted.status == 200)
        #expect(try Self.string(deleted, "data", "tracking", "id") == id)
        #expect(try shop.call("GET", "\(base)/\(id)").status == 404)
        #expect(try shop.call("POST", base, tracking).status == 201)
    }

    @Test func afterShipRetrackNeedsAnInactiveTrackingAndWorksOnce() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let shop = Session(client: try server.client(), headers: [("aftership-api-key", "retrack")])
        let base = "/aftership/v4/trackings"
        #expect(try shop.call("POST", base, #"{"tracking":{"slug":"dpd-de","tracking_number":"RT000001"}}"#).status == 201)
        let retrack = "\(base)/dpd-de/RT000001/retrack"

        let active = try shop.call("POST", retrack)
        #expect(active.status == 400)
        #expect(active.text == #"{"meta":{"code":4013,"type":"BadRequest","message":"Retrack is not allowed. You can only retrack an inactive tracking."},"data":{}}"#)

        let completed = try shop.call("POST", "\(base)/dpd-de/RT000001/mark-as-completed", #"{"reason":"DELIVERED"}"#)
        #expect(try Self.value(completed, "data", "tracking", "active") == .bool(false))

        let first = try shop.call("POST", retrack)
        #expect(first.status == 200)
        #expect(try Self.value(first, "data", "tracking", "active") == .bool(true))

        let second = try shop.call("POST", retrack)
        #expect(second.status == 400)
        #expect(second.text == #"{"meta":{"code":4016,"type":"BadRequest","message":"Retrack is not allowed. You can only retrack each shipment once."},"data":{}}"#)
    }

    @Test func twoClientsInterleavedNeverSeeEachOthersTrackings() throws {
        let server = try TestServer.start(options: Self.roomy)
        defer { server.stop() }
        let connection = try server.client()
        // Same API key, different sandboxes through X-Faultline-Client; then a different key.
        let a = Session(client: connection, headers: [("aftership-api-key", "shared"), ("X-Faultline-Client", "test-a")])
        let b = Session(client: connection, headers: [("aftership-api-key", "shared"), ("X-Faultline-Client", "test-b")])
        let c = Session(client: connection, headers: [("aftership-api-key", "other-key")])
        let body = #"{"tracking":{"slug":"dpd-de","tracking_number":"ISO00001"}}"#
        #expect(try a.call("POST", "/aftership/v4/trackings", body).status == 201)
        #expect(try b.call("GET", "/aftership/v4/trackings/dpd-de/ISO00001").status == 404)
        #expect(try b.call("POST", "/aftership/v4/trackings", body).status == 201)
        #expect(try a.call("POST", "/aftership/v4/trackings", body).status == 400)
        #expect(try c.call("GET", "/aftership/v4/trackings/dpd-de/ISO00001").status == 404)
        #expect(try Self.value(try a.call("GET", "/aftership/v4/trackings"), "data", "count") == .number("1"))
        #expect(try Self.value(try c.call("GET", "/aftership/v4/trackings"), "data", "count") == .number("0"))

        // Resetting one client forgets only its items.
        #expect(try connection.request("POST", "/__faultline/reset?client=test-a").status == 200)
        #expect(try a.call("GET", "/aftership/v4/trackings/dpd-de/ISO00001").status == 404)
        #expect(try b.call("GET", "/aftership/v4/trackings/dpd-de/ISO00001").status == 200)
        #expect(try connection.request("POST", "/__faultline/reset").status == 200)
        #expect(try b.call("GET", "/aftership/v4/trackings/dpd-de/ISO00001").status == 404)
    }

    // MARK: TrackBot

    @Test func trackBotShipmentsCouriersAndPaging() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let api = Session(client: try server.client(), headers: [("Authorization", "Bearer trackbot-token")])
        let base = "/trackbot/v1/shipments"
        for code in ["RC000000001IT", "RC000000002IT", "RC000000003IT"] {
            #expect(try api.call("POST", base, #"{"tracking_code":"\#(code)","courier":"poste-italiane"}"#).status == 201)
        }
        let duplicate = try api.call("POST", base, #"{"tracking_code":"RC000000002IT","courier":"poste-italiane"}"#)
        #expect(duplicate.status == 400)
        #expect(duplicate.text == #"{"error":{"status":400,"message":"A shipment with the same tracking code and courier already exists.","code":"shipment_already_exists"}}"#)
        // Another courier makes it another shipment.
        #expect(try api.call("POST", base, #"{"tracking_code":"RC000000002IT","courier":"sda"}"#).status == 201)

        let unknownCourier = try api.call("POST", base, #"{"tracking_code":"RC000000009IT","courier":"pony-express"}"#)
        #expect(unknownCourier.text == #"{"error":{"status":400,"message":"The courier slug you specified doesn't exist.","code":"invalid_courier"}}"#)

        let page = try api.call("GET", base + "?limit=3&page=2")
        guard case .array(let items) = try Self.value(page, "data") else { Issue.record("data is not a list"); return }
        #expect(items.map { $0["tracking_code"]?.stringValue } == ["RC000000002IT"])
        #expect(items.first?["courier"]?.stringValue == "sda")
        guard case .array(let filtered) = try Self.value(try api.call("GET", base + "?courier=sda"), "data") else { return }
        #expect(filtered.count == 1)
    }

    @Test func trackBotUnknownShipmentIdsAre404() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let api = Session(client: try server.client(), headers: [("Authorization", "Bearer trackbot-token")])
        let created = try api.call("POST", "/trackbot/v1/shipments", #"{"tracking_code":"1Z999AA10123456784","courier":"ups"}"#)
        let id = try Self.string(created, "data", "id")
        #expect(id.utf8.count == 7)
        #expect(try api.call("GET", "/trackbot/v1/shipments/\(id)").status == 200)
        #expect(try api.call("DELETE", "/trackbot/v1/shipments/\(id)").status == 200)
        for method in ["GET", "DELETE"] {
            let gone = try api.call(method, "/trackbot/v1/shipments/\(id)")
            #expect(gone.status == 404)
            #expect(gone.text == #"{"error":{"status":404,"message":"The requested resource does not exist."}}"#)
        }
    }
}

/// Flex Forward labels: idempotency per account, ownership, failed labels, sandbox tracking.
@Suite struct FlexForwardLabelsOverSocketsTests {
    static func label(key: String, postalCode: String = "10001", valid: Bool = true) -> String {
        let contact = #"{"firstName":"Ada","lastName":"Lovelace","phone":"+15555550100","email":"ada@example.com"}"#
        let shipTo = #"{"contact":\#(contact),"address":{"streetLines":["1 Main St"],"city":"Los Angeles","state":"CA","postalCode":"\#(postalCode)","countryCode":"\#(valid ? "US" : "USA")"}}"#
        let shipFrom = #"{"contact":\#(contact),"address":{"streetLines":["8 Keji Rd"],"city":"Shenzhen","state":"GD","postalCode":"518000","countryCode":"CN"}}"#
        let parcel = #"{"weight":1.2,"dimension":{"length":10,"width":10,"height":5},"items":[{"descriptionEn":"Mouse","quantity":1,"unitPrice":{"amount":12.5,"currency":"USD"},"unitWeight":0.2}]}"#
        return #"{"idempotencyKey":"\#(key)","courier":"yunexpress","service":{"shipperAccountId":"6f1c0e36-6a8f-4e43-9f3c-3f7b1c0b7a11","productCode":"STD"},"shipment":{"shipTo":\#(shipTo),"shipFrom":\#(shipFrom),"parcels":[\#(parcel)]},"order":{"customerOrderNumber":"ORDER-7"}}"#
    }

    typealias Session = StoredResourcesOverSocketsTests.Session

    @Test func theSameIdempotencyKeyReplaysTheLabelWith200() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let account = Session(client: try server.client(), headers: [("Authorization", "Bearer account-1")])
        let first = try account.call("POST", "/flexforward/labels", Self.label(key: "order-7-try"))
        #expect(first.status == 201)
        #expect(try StoredResourcesOverSocketsTests.string(first, "status") == "created")
        let replay = try account.call("POST", "/flexforward/labels", Self.label(key: "order-7-try"))
        #expect(replay.status == 200)
        #expect(replay.body == first.body)
        #expect(!replay.text.contains("idempotencyKey"))
        let stored = try server.client().request("GET", "/__faultline/state?client=account-1&vendor=flexforward")
        guard case .array(let labels)? = try JSONParser.parse(stored.body)["vendors"]?["flexforward"]?["labels"] else { Issue.record("\(stored.text)"); return }
        #expect(labels.count == 1)

        // Keys are per account: another account's same key makes its own label.
        let other = Session(client: account.client, headers: [("Authorization", "Bearer account-2")])
        let theirs = try other.call("POST", "/flexforward/labels", Self.label(key: "order-7-try"))
        #expect(theirs.status == 201)
        #expect(theirs.body != first.body)
    }

    @Test func aKeyUsedOnlyInA400StillCreatesTheLabel() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let account = Session(client: try server.client(), headers: [("Authorization", "Bearer account-1")])
        let invalid = try account.call("POST", "/flexforward/labels", Self.label(key: "reused", valid: false))
        #expect(invalid.status == 400)
        #expect(invalid.text == #"{"error":"Validation failed","details":[{"field":"shipment.shipTo.address.countryCode","message":"must be a valid ISO 3166-1 alpha-2 country code"}]}"#)
        #expect(try account.call("POST", "/flexforward/labels", Self.label(key: "reused")).status == 201)
    }

    @Test func labelsAre404WhenUnknownAnd403ForAnotherAccount() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let connection = try server.client()
        let owner = Session(client: connection, headers: [("Authorization", "Bearer owner")])
        let stranger = Session(client: connection, headers: [("Authorization", "Bearer stranger")])
        let id = try StoredResourcesOverSocketsTests.string(try owner.call("POST", "/flexforward/labels", Self.label(key: "k1")), "id")

        let mine = try owner.call("GET", "/flexforward/labels/\(id)")
        #expect(mine.status == 200)
        #expect(mine.text == #"{"id":"\#(id)","customerOrderNumber":"ORDER-7","url":"https://sandbox.flexforward.com/labels/\#(id).pdf","labelFormat":"PDF"}"#)
        for target in ["/flexforward/labels/\(id)", "/flexforward/tracking/\(id)"] {
            let refused = try stranger.call("GET", target)
            #expect(refused.status == 403)
            #expect(refused.text == #"{"error":"Forbidden"}"#)
        }
        for target in ["/flexforward/labels/LBL-123", "/flexforward/labels/a1b2c3d4-e5f6-7890-abcd-ef1234567890", "/flexforward/tracking/a1b2c3d4-e5f6-7890-abcd-ef1234567890"] {
            let missing = try owner.call("GET", target)
            #expect(missing.status == 404)
            #expect(missing.text == #"{"error":"Not Found"}"#)
        }
    }

    @Test func aCourierFailureIsA502LabelThatIsStored() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let account = Session(client: try server.client(), headers: [("Authorization", "Bearer account-1")])
        // Declared trigger: the ship-to postal code in the courier_error_postal_code setting.
        let failed = try account.call("POST", "/flexforward/labels", Self.label(key: "fails", postalCode: "90502"))
        #expect(failed.status == 502)
        let id = try StoredResourcesOverSocketsTests.string(failed, "id")
        #expect(failed.text == #"{"id":"\#(id)","status":"failed","courier":"yunexpress","courierOrderNumber":null,"courierTrackingNumber":null,"error":{"code":"COURIER_ERROR","message":"Address validation failed at courier"}}"#)
        #expect(try account.call("GET", "/flexforward/labels/\(id)").status == 200)
        // Retrying with the same key replays the failure with 200 (status: failed).
        let replay = try account.call("POST", "/flexforward/labels", Self.label(key: "fails", postalCode: "90502"))
        #expect(replay.status == 200 && replay.body == failed.body)

        // Asked for by name, the failed label is stored as well.
        let named = try account.call("POST", "/flexforward/labels?scenario=courier_error", Self.label(key: "named"))
        #expect(named.status == 502)
        #expect(try account.call("GET", "/flexforward/labels/\(try StoredResourcesOverSocketsTests.string(named, "id"))").status == 200)
    }

    @Test(arguments: [("90001", "Delivered"), ("90002", "Exception"), ("90003", "InTransit"), ("90004", "Cancelled"), ("10001", "InTransit")])
    func sandboxPostalCodesDecideTheTrackingTag(postalCode: String, tag: String) throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let account = Session(client: try server.client(), headers: [("Authorization", "Bearer sandbox")])
        let created = try account.call("POST", "/flexforward/labels", Self.label(key: "tag-\(postalCode)", postalCode: postalCode))
        let id = try StoredResourcesOverSocketsTests.string(created, "id")
        let tracking = try account.call("GET", "/flexforward/tracking/\(id)")
        #expect(tracking.status == 200)
        #expect(try StoredResourcesOverSocketsTests.string(tracking, "tag") == tag)
        #expect(try StoredResourcesOverSocketsTests.string(tracking, "id") == id)
        #expect(try StoredResourcesOverSocketsTests.string(tracking, "trackingNumber") == StoredResourcesOverSocketsTests.string(created, "courierTrackingNumber"))
    }
}

/// Price2b stock, SKUs and quotes; generic balances; sequences named in files; admin state.
@Suite struct BusinessRulesOverSocketsTests {
    typealias Session = StoredResourcesOverSocketsTests.Session
    static let price2bHeaders = [("Authorization", "Bearer p2b"), ("Accept", "application/json")]

    @Test func price2bSkusStockAndOrders() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let api = Session(client: try server.client(), headers: Self.price2bHeaders)
        let exists = try api.call("POST", "/price2b/api/v1/inventory/products", #"{"sku":"PROD-001","name":"Mouse"}"#)
        #expect(exists.status == 409)
        #expect(exists.text == #"{"success":false,"message":"SKU already exists.","error_code":"INV_003"}"#)
        let created = try api.call("POST", "/price2b/api/v1/inventory/products", #"{"sku":"PROD-777","name":"Keyboard","stock":3}"#)
        #expect(created.status == 201)
        let productID = try StoredResourcesOverSocketsTests.value(created, "data", "product_id")
        #expect(try api.call("GET", "/price2b/api/v1/inventory/products/\(productID.serializedString)").status == 200)
        #expect(try api.call("GET", "/price2b/api/v1/inventory/products/424242").text == #"{"success":false,"message":"Product not found.","error_code":"INV_001"}"#)

        let short = try api.call("POST", "/price2b/api/v1/orders/1002/ship")
        #expect(short.status == 422)
        #expect(short.text == #"{"success":false,"message":"Insufficient stock for product PROD-002","error_code":"INV_002","meta":{"product_id":12346,"available_stock":5,"requested_quantity":100}}"#)
        #expect(try api.call("POST", "/price2b/api/v1/orders/1003/ship").text == #"{"success":false,"message":"Order already shipped.","error_code":"ORD_002"}"#)
        #expect(try api.call("POST", "/price2b/api/v1/orders/1004/ship").text == #"{"success":false,"message":"Order cancelled.","error_code":"ORD_003"}"#)
        #expect(try api.call("POST", "/price2b/api/v1/orders/1001/ship").status == 200)
        #expect(try api.call("POST", "/price2b/api/v1/orders/1001/ship").status == 409)
        // Shipping took two off PROD-001's stock.
        #expect(try StoredResourcesOverSocketsTests.value(try api.call("GET", "/price2b/api/v1/inventory/products/12345"), "data", "available_stock") == .number("48"))
        #expect(try api.call("GET", "/price2b/api/v1/orders/31337").status == 404)
    }

    @Test func price2bQuotesExpireAfterTheirDayOfValidityOnTheEmulationsClock() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let api = Session(client: try server.client(), headers: Self.price2bHeaders)
        let quote = try api.call("POST", "/price2b/api/v1/shipping/quotes", #"{"origin":{"country":"US"},"destination":{"country":"DE","postal_code":"10115","city":"Berlin"},"packages":[{"weight":1.5,"length":10,"width":10,"height":10}]}"#)
        #expect(quote.status == 201)
        let id = try StoredResourcesOverSocketsTests.string(quote, "data", "quote_id")
        let validUntil = try StoredResourcesOverSocketsTests.string(quote, "data", "valid_until")
        #expect(try api.call("POST", "/price2b/api/v1/shipping/labels", #"{"quote_id":"\#(id)"}"#).status == 201)
        // A day and a second on the emulation's clock, in no time: the 24-hour quote has expired.
        let moved = try server.client().request("POST", "/__faultline/clock", body: #"{"advance":"86401s"}"#)
        #expect(moved.status == 200)
        #expect(try StoredResourcesOverSocketsTests.value(moved, "frozen") == .bool(false))
        let expired = try api.call("POST", "/price2b/api/v1/shipping/labels", #"{"quote_id":"\#(id)"}"#)
        #expect(expired.status == 422)
        #expect(expired.text == #"{"success":false,"message":"This quote has expired. Please request a new quote.","error_code":"SHIP_001","meta":{"quote_id":"\#(id)","expired_at":"\#(validUntil)"}}"#)
        let unknown = try api.call("POST", "/price2b/api/v1/shipping/labels", #"{"quote_id":"QT-0000-000000"}"#)
        #expect(unknown.text == #"{"success":false,"message":"The selected quote id is invalid.","error_code":"VAL_001","errors":{"quote_id":["The selected quote id is invalid."]}}"#)
    }

    @Test func genericBalanceRunsOutOnTheThirdUser() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let api = Session(client: try server.client(), headers: [("X-API-Key", "billing")])
        #expect(try api.call("POST", "/generic/api/v1/users", #"{"user_id":"usr_1"}"#).status == 201)
        #expect(try api.call("POST", "/generic/api/v1/users", #"{"user_id":"usr_2"}"#).status == 201)
        let broke = try api.call("POST", "/generic/api/v1/users", #"{"user_id":"usr_3"}"#)
        #expect(broke.status == 402)
        #expect(broke.text == #"{"error":{"code":"INSUFFICIENT_BALANCE","message":"Your account balance is insufficient to complete this transaction.","details":{"required":"100.00","available":"50.50"}}}"#)
        #expect(try api.call("GET", "/generic/api/v1/users/usr_3").status == 404)
        #expect(try api.call("GET", "/generic/api/v1/users/usr_2").status == 200)

        // A test can top the balance up through the admin API.
        let topUp = try api.client.request("POST", "/__faultline/state", headers: [StoredResourcesOverSocketsTests.json], body: #"{"vendor":"generic","collection":"accounts","client":"billing","item":{"id":"default","balance":"1000.00","currency":"USD"}}"#)
        #expect(topUp.status == 200)
        #expect(try api.call("POST", "/generic/api/v1/users", #"{"user_id":"usr_3"}"#).status == 201)
    }

    @Test func aSequenceNamedInTheFileRunsPerClient() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let connection = try server.client()
        func create(_ client: String, _ number: String) throws -> Int {
            try connection.request("POST", "/aftership/v4/trackings?scenario=flaky", headers: [("aftership-api-key", "k"), ("X-Faultline-Client", client), StoredResourcesOverSocketsTests.json], body: #"{"tracking":{"slug":"dpd-de","tracking_number":"\#(number)"}}"#).status
        }
        #expect(try create("a", "SEQ00001") == 500)
        #expect(try create("b", "SEQ00001") == 500)
        #expect(try create("a", "SEQ00001") == 500)
        // The last step is the real answer: the tracking is created, and then exists.
        #expect(try create("a", "SEQ00001") == 201)
        #expect(try create("a", "SEQ00001") == 400)
        #expect(try create("b", "SEQ00001") == 500)
        #expect(try create("b", "SEQ00001") == 201)
    }
}
