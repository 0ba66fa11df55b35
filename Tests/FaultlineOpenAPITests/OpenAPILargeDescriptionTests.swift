import Testing
import FaultlineScenarios
@testable import FaultlineOpenAPI

/// A generated description of 500 operations (bench/openapi_import.py times the same shape):
/// every operation becomes an endpoint, shared answers become one catalog entry each.
@Suite struct OpenAPILargeDescriptionTests {
    static func description(resources: Int) -> String {
        var paths: [String] = []
        for i in 0..<resources {
            paths.append(#"""
            "/r\#(i)/items": {"post": {"operationId": "createItem\#(i)",
              "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
              "responses": {"201": {"description": "Created.", "content": {"application/json": {"example": {"id": "it_\#(i)", "name": "Widget", "price": 9.99}}}},
                "400": {"$ref": "#/components/responses/Invalid"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "429": {"$ref": "#/components/responses/TooMany"}}}},
            "/r\#(i)/items/{id}": {"get": {"operationId": "getItem\#(i)",
              "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
              "responses": {"200": {"description": "The item.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
                "404": {"$ref": "#/components/responses/NotFound"}, "401": {"$ref": "#/components/responses/Unauthorized"}}}}
            """#)
        }
        return #"""
        {"openapi": "3.1.0", "info": {"title": "Big", "version": "1"}, "servers": [{"url": "https://api.big.example/v1"}],
         "security": [{"bearer": []}],
         "paths": {\#(paths.joined(separator: ",\n"))},
         "components": {
          "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
          "schemas": {"Item": {"type": "object", "required": ["name", "price"], "properties": {
            "id": {"type": "string", "readOnly": true}, "name": {"type": "string", "maxLength": 80}, "price": {"type": "number", "minimum": 0}}}},
          "responses": {
           "Invalid": {"description": "Invalid.", "content": {"application/json": {"example": {"error": "invalid_request", "details": [{"field": "name", "message": "is required"}]}}}},
           "Unauthorized": {"description": "No key.", "content": {"application/json": {"example": {"error": "unauthorized"}}}},
           "NotFound": {"description": "Missing.", "content": {"application/json": {"example": {"error": "not_found"}}}},
           "TooMany": {"description": "Slow down.", "content": {"application/json": {"example": {"error": "rate_limited"}}}}}}}
        """#
    }

    @Test func fiveHundredOperationsBecomeFiveHundredEndpointsAndOneCatalog() throws {
        let result = try OpenAPIImport.convert(Array(Self.description(resources: 250).utf8), file: "big.json", vendor: "big")
        #expect(result.endpoints == 500)
        #expect(result.file["endpoints"]?.arrayItems?.count == 500)
        #expect(result.file.at("endpoints", 499, "id") == .string("getItem249"))
        #expect(result.file["errors"]?.objectMembers?.map(\.key) == ["400", "401", "429", "404"])
        #expect(result.file.at("errors", "404", "endpoints")?.arrayItems?.count == 250)
        #expect(result.file.at("errors", "401", "endpoints") == nil)
        #expect(result.notes.isEmpty)
        #expect(result.file.at("endpoints", 1, "response", "body")?.serializedString == #"{"name":"string","price":0}"#)
    }
}
