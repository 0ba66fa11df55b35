import Testing
import FaultlineHTTP
import FaultlineScenarios
import FaultlineTesting
@testable import FaultlineOpenAPI

/// Import → serve → ask: each documented example comes back byte for byte by its name, and
/// requests are judged as the description says (keys, limits, schemas).
@Suite(.serialized) struct OpenAPIRoundTripTests {
    static func serve(_ fixture: String, vendor: String) throws -> TestServer {
        let result = try Fixture.imported(fixture, vendor: vendor)
        return try TestServer.start(files: [vendor + ".json": result.text])
    }

    /// Scenario name, request, and the pointer of the example in the JSON fixture.
    static let petstore: [(name: String, method: String, path: String, status: Int, example: String)] = [
        ("default", "GET", "/pets", 200, "/paths/~1pets/get/responses/200/content/application~1json/example"),
        ("dog", "POST", "/pets", 201, "/paths/~1pets/post/responses/201/content/application~1json/examples/dog/value"),
        ("cat", "POST", "/pets", 201, "/components/examples/Cat/value"),
        ("400", "POST", "/pets", 400, "/paths/~1pets/post/responses/400/content/application~1json/example"),
        ("pet_exists", "POST", "/pets", 409, "/paths/~1pets/post/responses/409/content/application~1json/examples/duplicate/value"),
        ("pet_archived", "POST", "/pets", 409, "/paths/~1pets/post/responses/409/content/application~1json/examples/archived/value"),
        ("unauthorized", "GET", "/pets/7", 401, "/components/responses/Unauthorized/content/application~1json/example"),
        ("rate_limited", "GET", "/pets", 429, "/components/responses/TooManyRequests/content/application~1json/example"),
        ("not_found", "GET", "/pets/7", 404, "/components/responses/NotFound/content/application~1json/example"),
        ("not_found", "DELETE", "/pets/7", 404, "/components/responses/NotFound/content/application~1json/example"),
    ]

    static let shop: [(name: String, method: String, path: String, status: Int, example: String)] = [
        ("created", "POST", "/orders", 201, "/components/examples/OrderCreated/value"),
        ("backordered", "POST", "/orders", 201, "/paths/~1orders/post/responses/201/content/application~1json/examples/backordered/value"),
        ("422", "POST", "/orders", 422, "/components/responses/Invalid/content/application~1json/example"),
        ("500", "POST", "/orders", 500, "/paths/~1orders/post/responses/500/content/application~1problem+json/example"),
        ("default", "GET", "/orders/ord_1", 200, "/paths/~1orders~1{orderId}/get/responses/200/content/application~1json/example"),
        ("ORDER_NOT_FOUND", "GET", "/orders/ord_1", 404, "/paths/~1orders~1{orderId}/get/responses/404/content/application~1json/example"),
    ]

    @Test(arguments: [("petstore-3.0.yaml", "petstore-3.0.json"), ("petstore-3.0.json", "petstore-3.0.json")])
    func everyPetstoreExampleComesBackByName(_ fixtures: (served: String, expected: String)) throws {
        let server = try Self.serve(fixtures.served, vendor: "petstore")
        defer { server.stop() }
        let client = try server.client()
        for case let (name, method, path, status, pointer) in Self.petstore {
            let expected = try #require(try Fixture.value(fixtures.expected, at: pointer))
            let response = try client.request(method, "/petstore/v1\(path)?scenario=\(name)", headers: [("Authorization", "Bearer t")])
            #expect(response.status == status, "\(name)")
            #expect(response.text == expected.serializedString, "\(name) on \(method) \(path)")
        }
    }

    @Test(arguments: ["shop-3.1.json", "shop-3.1.yaml"])
    func everyShopExampleComesBackByName(_ served: String) throws {
        let server = try Self.serve(served, vendor: "shop")
        defer { server.stop() }
        let client = try server.client()
        for case let (name, method, path, status, pointer) in Self.shop {
            let expected = try #require(try Fixture.value("shop-3.1.json", at: pointer))
            let response = try client.request(method, "/shop/api/v2\(path)?scenario=\(name)", headers: [("X-Api-Key", "k")])
            #expect(response.status == status, "\(name)")
            #expect(response.text == expected.serializedString, "\(name) on \(method) \(path)")
        }
        let problem = try client.request("POST", "/shop/api/v1/orders?scenario=500", headers: [("X-Api-Key", "k")])
        #expect(problem.headers["Content-Type"] == "application/problem+json")
    }

    @Test func anInvalidRequestGetsTheDeclaredValidationError() throws {
        let server = try Self.serve("petstore-3.0.yaml", vendor: "petstore")
        defer { server.stop() }
        let client = try server.client()
        let response = try client.request("POST", "/petstore/v1/pets", headers: [("Authorization", "Bearer t"), ("Content-Type", "application/json")], body: #"{"price":0,"owner":{"phones":["12"]}}"#)
        #expect(response.status == 400)
        #expect(response.text == #"{"error":"validation_failed","details":[{"field":"name","message":"is required"},{"field":"price","message":"must be greater than 0"},{"field":"owner.email","message":"is required"},{"field":"owner.phones[0]","message":"has an invalid format"}]}"#)
        let valid = try client.request("POST", "/petstore/v1/pets", headers: [("Authorization", "Bearer t"), ("Content-Type", "application/json")], body: #"{"name":"Rex","price":12.5}"#)
        #expect(valid.status == 201)
        let query = try client.request("GET", "/petstore/v1/pets?limit=0", headers: [("Authorization", "Bearer t")])
        #expect(query.text == #"{"error":"validation_failed","details":[{"field":"limit","message":"must be greater than or equal to 1"}]}"#)

        let shop = try Self.serve("shop-3.1.yaml", vendor: "shop")
        defer { shop.stop() }
        let order = try shop.client().request("POST", "/shop/api/v2/orders", headers: [("X-Api-Key", "k")], body: #"{"sku":"abc","quantity":0}"#)
        #expect(order.status == 422)
        #expect(order.text == #"{"message":"The given data was invalid.","errors":{"sku":["has an invalid format"],"quantity":["must be greater than 0"]}}"#)
    }

    @Test func securitySchemesAndA429AreJudgedLikeTheVendor() throws {
        let server = try Self.serve("petstore-3.0.yaml", vendor: "petstore")
        defer { server.stop() }
        let client = try server.client()
        let missing = try client.request("GET", "/petstore/v1/pets")
        #expect(missing.status == 401)
        #expect(missing.text == #"{"code":"unauthorized","message":"Missing or invalid token."}"#)
        let health = try client.request("GET", "/petstore/v1/health")
        #expect(health.status == 200)
        #expect(health.text == "ok")
        var last: TestResponse?
        for _ in 0..<101 {
            last = try client.request("GET", "/petstore/v1/pets", headers: [("Authorization", "Bearer limited")])
        }
        #expect(last?.status == 429)
        #expect(last?.text == #"{"code":"rate_limited","message":"Too many requests."}"#)
        let retryAfter = try #require(last?.headers["Retry-After"]).flatMap { Int($0) }
        #expect(retryAfter.map { $0 > 0 && $0 <= 60 } == true)
    }
}
