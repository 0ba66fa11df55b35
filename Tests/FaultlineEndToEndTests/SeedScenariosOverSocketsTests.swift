import Testing
import FaultlineHTTP
import FaultlineTesting
import SeedFixtures

@Suite struct SeedScenariosOverSocketsTests {
    @Test(arguments: SeedExpectations.all)
    func everyDocumentedScenarioArrivesOnTheWireExactly(_ expected: SeedExpectation) throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        let response = try client.request(expected.method, expected.target, body: expected.requestBody)
        #expect(response.status == expected.status)
        #expect(expected.bodyMatches(response.text), "body was \(response.text)")
        for (name, value) in expected.headers {
            #expect(response.headers[name] == value, "header \(name)")
        }
        #expect(response.headers["Content-Length"] == String(response.body.count))
        #expect(response.headers["Date"]?.hasSuffix(" GMT") == true)
        #expect(response.headers["Content-Type"]?.hasPrefix("application/json") == true)
        #expect(response.headers["Faultline-Error"] == nil)
    }

    @Test func theReadmeExampleWorksAsWritten() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let response = try server.client().request("POST", "/aftership/v4/trackings?scenario=4003", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: "{}")
        #expect(response.status == 400)
        #expect(response.reason == "Bad Request")
        #expect(response.text == #"{"meta":{"code":4003,"type":"BadRequest","message":"Tracking already exists."},"data":{}}"#)
        #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(response.headers.map(\.name).starts(with: ["Content-Type", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Date", "Content-Length"]))
    }

    @Test func oneKeepAliveConnectionServesEveryVendorInTurn() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        for expected in SeedExpectations.all {
            let response = try client.request(expected.method, expected.target, body: expected.requestBody)
            #expect(response.status == expected.status, "\(expected)")
        }
    }
}
