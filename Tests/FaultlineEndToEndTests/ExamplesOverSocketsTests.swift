import Testing
import FaultlineHTTP
import FaultlineTesting

/// Endpoint `examples`: a request that matches one gets its answer before any other judgement;
/// every other request is judged as before.
@Suite struct ExamplesOverSocketsTests {
    static func file(parameter: String = "order_id") -> String { #"""
    {"vendor": "acme", "basePaths": ["/v1"],
     "triggers": {"auth": {"credentials": [{"header": "Authorization", "scheme": "Bearer"}], "missing": "unauthorized", "invalid": "unauthorized"}},
     "errors": {"unauthorized": {"status": 401, "body": {"code": "unauthorized"}}},
     "endpoints": [
      {"id": "get-order", "method": "GET", "path": "/orders/{order_id}", "response": {"status": 200, "body": {"id": "{{path.order_id}}"}},
       "scenarios": {"gone": {"status": 410, "text": "gone"}},
       "examples": [
         {"request": {"parameters": {"order_id": "7"}, "query": {"expand": "items", "page": "2"}}, "response": {"status": 200, "text": "order 7, page 2"}},
         {"request": {"parameters": {"order_id": "7"}, "query": {"api_key": null}}, "response": {"status": 200, "text": "order 7 by key"}},
         {"request": {"parameters": {"\#(parameter)": "8"}, "absent": ["Authorization"]}, "response": {"status": 403, "text": "recorded 403"}}
       ]},
      {"id": "create-order", "method": "POST", "path": "/orders", "response": {"status": 201, "body": {"id": "new"}},
       "examples": [{"request": {"body": {"sku": "A-1", "qty": 2}, "present": ["Authorization"]}, "response": {"status": 409, "body": {"code": "duplicate"}}}]}
     ]}
    """# }

    @Test func aMatchingRequestGetsItsExampleAndOthersAreJudgedAsBefore() throws {
        let server = try TestServer.start(files: ["acme.json": Self.file()])
        defer { server.stop() }
        let client = try server.client()
        let auth = [("Authorization", "Bearer k")]
        // Query in any order; Faultline's own parameters are not part of it.
        let page = try client.request("GET", "/acme/v1/orders/7?page=2&faultline_client=c1&expand=items", headers: auth)
        #expect(page.status == 200 && page.text == "order 7, page 2")
        #expect(try client.request("GET", "/acme/v1/orders/7?page=3&expand=items", headers: auth).text == #"{"id":"7"}"#)
        #expect(try client.request("GET", "/acme/v1/orders/7", headers: auth).text == #"{"id":"7"}"#)
        // A null query value: the parameter with any value.
        #expect(try client.request("GET", "/acme/v1/orders/7?api_key=k_anything", headers: auth).text == "order 7 by key")
        #expect(try client.request("GET", "/acme/v1/orders/7?api_key=k&x=1", headers: auth).text == #"{"id":"7"}"#)
        // Before authentication: the recorded answer of a request without a credential.
        let recorded = try client.request("GET", "/acme/v1/orders/8")
        #expect(recorded.status == 403 && recorded.text == "recorded 403")
        #expect(try client.request("GET", "/acme/v1/orders/9").status == 401)
        #expect(try client.request("GET", "/acme/v1/orders/8", headers: auth).status == 200)
        // A named scenario still wins.
        #expect(try client.request("GET", "/acme/v1/orders/7?page=2&expand=items&scenario=gone", headers: auth).status == 410)
        // A JSON body: object keys in any order, numbers by value.
        let json = [("Authorization", "Bearer k"), ("Content-Type", "application/json")]
        let duplicate = try client.request("POST", "/acme/v1/orders", headers: json, body: #"{"qty": 2.0, "sku": "A-1"}"#)
        #expect(duplicate.status == 409 && duplicate.text == #"{"code":"duplicate"}"#)
        #expect(try client.request("POST", "/acme/v1/orders", headers: json, body: #"{"qty": 3, "sku": "A-1"}"#).status == 201)
        #expect(try client.request("POST", "/acme/v1/orders", headers: json, body: "not json").status == 201)
    }

    @Test func anExampleNamingAParameterThePathLacksIsRefusedWithItsPath() {
        do {
            _ = try TestServer.start(files: ["acme.json": Self.file(parameter: "orderId")])
            Issue.record("a file with an unknown example parameter was served")
        } catch {
            #expect("\(error)".contains("acme.json: $.endpoints[0].examples[2].request.parameters.orderId: 'orderId' is not a parameter of /orders/{order_id}"), "\(error)")
        }
    }
}
