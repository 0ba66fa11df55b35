import Testing
import FaultlineHTTP
import FaultlineScenarios
import FaultlineTesting

/// One client cannot erase another's state (issue 11): not by flooding new client names, not
/// by filling a shared collection, not by filling the sequence table; and what a client
/// stores is bounded in bytes, whatever its bodies decode to.
@Suite struct FairStateOverSocketsTests {
    typealias Session = StoredResourcesOverSocketsTests.Session
    static let json = StoredResourcesOverSocketsTests.json

    /// These tests are about state limits: AfterShip's 10 requests a second per key, which
    /// fourteen quick requests of one client exceed, must not answer first.
    static func options(_ change: (inout StateLimits) -> Void) -> ScenarioEngine.Options {
        var options = ScenarioEngine.Options(rateLimitOverrides: [RateLimitOverride(vendor: "aftership", limit: 1_000, window: 1)])
        change(&options.stateLimits)
        return options
    }

    @Test func aFloodOfNewClientNamesCannotEraseAnActiveClientsTrackings() throws {
        let server = try TestServer.start(options: Self.options { $0.clients = 20 })
        defer { server.stop() }
        let connection = try server.client()
        let victim = Session(client: connection, headers: [("aftership-api-key", "victim")])
        let created = try victim.call("POST", "/aftership/v4/trackings", #"{"tracking":{"slug":"dpd-de","tracking_number":"VICTIM01"}}"#)
        #expect(created.status == 201)
        var refused = 0
        for i in 0..<100 {
            let flood = try connection.request("POST", "/aftership/v4/trackings", headers: [("aftership-api-key", "flood"), ("X-Faultline-Client", "flood-\(i)"), Self.json], body: #"{"tracking":{"slug":"dpd-de","tracking_number":"FLOOD\#(1000 + i)"}}"#)
            if flood.status == 507 {
                refused += 1
                #expect(flood.headers["Faultline-Error"] == "state-limit")
            } else {
                #expect(flood.status == 201)
            }
        }
        // Room for 19 more clients; the other 81 were refused, and nobody was forgotten.
        #expect(refused == 81)
        #expect(try victim.call("GET", "/aftership/v4/trackings/dpd-de/VICTIM01").status == 200)
        #expect(try victim.call("POST", "/aftership/v4/trackings", #"{"tracking":{"slug":"dpd-de","tracking_number":"VICTIM01"}}"#).status == 400)
        // A reader with a new name still reads (it needs no room).
        #expect(try connection.request("GET", "/aftership/v4/trackings", headers: [("aftership-api-key", "reader")]).status == 200)
    }

    @Test func oneAccountsLabelsCannotPushAnotherAccountsLabelOut() throws {
        let server = try TestServer.start(options: Self.options { $0.clientBytes = 64 * 1024 })
        defer { server.stop() }
        let connection = try server.client()
        let victim = Session(client: connection, headers: [("Authorization", "Bearer victim")])
        let first = try victim.call("POST", "/flexforward/labels", FlexForwardLabelsOverSocketsTests.label(key: "victim-order"))
        #expect(first.status == 201)
        let flood = Session(client: connection, headers: [("Authorization", "Bearer flood")])
        for i in 0..<200 {
            #expect(try flood.call("POST", "/flexforward/labels", FlexForwardLabelsOverSocketsTests.label(key: "flood-\(i)")).status == 201)
        }
        // The flood's own oldest labels went; the victim's idempotent retry still replays.
        let usage = try #require(server.engine.stateUsage(vendor: "flexforward", client: "flood"))
        #expect(usage.clientBytes <= 64 * 1024)
        #expect(try flood.call("POST", "/flexforward/labels", FlexForwardLabelsOverSocketsTests.label(key: "flood-0")).status == 201)
        let retry = try victim.call("POST", "/flexforward/labels", FlexForwardLabelsOverSocketsTests.label(key: "victim-order"))
        #expect(retry.status == 200)
        #expect(retry.body == first.body)
    }

    @Test func aFullSequenceTableNeverRestartsAnActiveClientsSequence() throws {
        let server = try TestServer.start(options: Self.options { $0.clients = 10 })
        defer { server.stop() }
        let connection = try server.client()
        func call(_ client: String) throws -> TestResponse {
            try connection.request("GET", "/aftership/v4/couriers?scenario=500,500,default", headers: [("aftership-api-key", "k"), ("X-Faultline-Client", client)])
        }
        #expect(try call("victim").status == 500)
        #expect(try call("victim").status == 500)
        var refused = 0
        for i in 0..<50 where try call("other-\(i)").status == 507 { refused += 1 }
        #expect(refused == 41)
        #expect(try call("victim").status == 200)
        #expect(try call("victim").status == 200)
    }

    @Test func bigBodiesAreChargedToTheirClientAndEvictItsOwnOldest() throws {
        let budget = 900_000
        let server = try TestServer.start(options: Self.options { $0.clientBytes = budget })
        defer { server.stop() }
        let api = Session(client: try server.client(), headers: [("aftership-api-key", "big")])
        let note = String(repeating: "n", count: 200_000)
        for i in 0..<10 {
            let created = try api.call("POST", "/aftership/v4/trackings", #"{"tracking":{"slug":"dpd-de","tracking_number":"BIG0000\#(i)","custom_fields":{"note":"\#(note)"}}}"#)
            #expect(created.status == 201)
        }
        let usage = try #require(server.engine.stateUsage(vendor: "aftership", client: "big"))
        #expect(usage.clientBytes <= budget && usage.clientBytes > budget / 2, "\(usage)")
        #expect(try api.call("GET", "/aftership/v4/trackings/dpd-de/BIG00000").status == 404)
        #expect(try api.call("GET", "/aftership/v4/trackings/dpd-de/BIG00009").status == 200)
        // One item over the whole budget is refused, with Faultline's own answer.
        let huge = try api.call("POST", "/aftership/v4/trackings", #"{"tracking":{"slug":"dpd-de","tracking_number":"HUGE0001","custom_fields":{"a":"\#(String(repeating: "h", count: 1_000_000))"}}}"#)
        #expect(huge.status == 507, "\(huge.status) \(huge.text.prefix(200))")
        #expect(huge.headers["Faultline-Error"] == "state-limit")
        #expect(try api.call("GET", "/aftership/v4/trackings/dpd-de/BIG00009").status == 200)
    }
}
