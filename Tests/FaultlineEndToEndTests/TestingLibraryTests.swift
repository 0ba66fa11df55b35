#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Foundation
import Synchronization
import Testing
import FaultlineScenarios
import FaultlineTesting

/// FaultlineTesting as a user's test target meets it: a URLSession client against the bundled
/// AfterShip (the README's example), inline vendors, reset, the journal, and stopping.
@Suite struct TestingLibraryTests {
    /// The README's example, verbatim.
    @Test func aURLSessionClientSeesAfterShipsRateLimit() async throws {
        try await TestServer.with { faultline in
            var request = URLRequest(url: faultline.baseURL.appendingPathComponent("aftership/v4/trackings"))
            request.httpMethod = "POST"
            request.setValue("my-test-key", forHTTPHeaderField: "aftership-api-key")
            request.setValue("429", forHTTPHeaderField: "X-Faultline-Scenario")
            let (data, response) = try await URLSession.shared.data(for: request)
            let http = try #require(response as? HTTPURLResponse)
            #expect(http.statusCode == 429)
            #expect(http.value(forHTTPHeaderField: "Retry-After") != nil)
            #expect(String(decoding: data, as: UTF8.self) == #"{"meta":{"code":429,"type":"TooManyRequests","message":"You have exceeded the API call rate limit. The default limit is 10 requests per second."},"data":{}}"#)
            #expect(faultline.requests().map(\.status) == [429])
        }
    }

    @Test func inlineVendorsServeBesideTheBundledOnes() throws {
        let acme = #"{"vendor":"acme","basePaths":["/v1"],"endpoints":[{"id":"ping","method":"GET","path":"/ping","response":{"status":200,"body":{"pong":true}}}]}"#
        let server = try TestServer.start(files: ["acme.json": acme], withBundled: true)
        defer { server.stop() }
        let client = try server.client()
        #expect(try client.request("GET", "/acme/v1/ping").text == #"{"pong":true}"#)
        #expect(try client.request("GET", "/trackbot/v1/couriers", headers: [("Authorization", "Bearer t")]).status == 200)
        #expect(server.engine.catalog.vendors.map(\.name) == ["aftership", "flexforward", "generic", "price2b", "trackbot", "acme"])
        #expect(throws: TestServer.LoadError.self) { try TestServer.start(files: ["acme.json": "{"]) }
    }

    @Test func resetForgetsStateAndTheJournalIsReadable() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        let key = [("aftership-api-key", "reset-me"), ("Content-Type", "application/json")]
        let tracking = #"{"tracking":{"slug":"dpd-de","tracking_number":"RS000001"}}"#
        #expect(try client.request("POST", "/aftership/v4/trackings", headers: key, body: tracking).status == 201)
        #expect(try client.request("POST", "/aftership/v4/trackings", headers: key, body: tracking).status == 400)
        server.reset(client: "reset-me")
        #expect(try client.request("POST", "/aftership/v4/trackings", headers: key, body: tracking).status == 201)
        let journal = server.requests(client: "reset-me")
        #expect(journal.map(\.status) == [201, 400, 201])
        #expect(journal.map(\.endpoint) == ["createTracking", "createTracking", "createTracking"])
        server.clearJournal()
        #expect(server.requests().isEmpty)
    }

    @Test func theServerStopsWhenTheBodyThrows() throws {
        struct Boom: Error {}
        let port = Mutex<UInt16>(0)
        #expect(throws: Boom.self) {
            try TestServer.with { faultline in
                port.withLock { $0 = faultline.port }
                #expect(try faultline.client().request("GET", "/__faultline/health").status == 200)
                throw Boom()
            }
        }
        #expect(throws: TestHTTPClient.Failure.self) { try TestHTTPClient(port: port.withLock { $0 }, timeout: 1) }
    }
}
