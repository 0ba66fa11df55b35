import Testing
import FaultlineScenarios
@testable import FaultlineOpenAPI

/// Descriptions real vendors write that once made a file that did not load, or lost something
/// without a word.
@Suite struct OpenAPIEdgeCaseTests {
    static func convert(_ text: String) throws -> OpenAPIImport.Result {
        try OpenAPIImport.convert(Array(text.utf8), file: "spec", vendor: "acme")
    }

    static func description(paths: String, components: String = "{}") -> String {
        #"{"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": \#(paths), "components": \#(components)}"#
    }

    @Test func oneCodeUnderTwoStatusesIsTwoEntriesAndGeneratedBodiesNameNothing() throws {
        let result = try Self.convert(Self.description(paths: #"""
        {"/a": {"get": {"responses": {
          "200": {"description": "ok"},
          "400": {"description": "bad", "content": {"application/json": {"example": {"code": "failed"}}}},
          "500": {"description": "down", "content": {"application/json": {"example": {"code": "failed"}}}},
          "503": {"description": "busy", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}}}
        """#, components: ##"{"schemas": {"Error": {"type": "object", "required": ["code"], "properties": {"code": {"type": "integer"}}}}}"##))
        #expect(result.file["errors"]?.objectMembers?.map(\.key) == ["failed", "failed_500", "503"])
        #expect(result.file.at("errors", "503", "body")?.serializedString == #"{"code":0}"#)
    }

    @Test func theValidationAnswerIsTheVariantWithTheList() throws {
        let plain = #"{"description": "bad", "content": {"application/json": {"example": {"message": "bad"}}}}"#
        let listed = #"{"description": "bad", "content": {"application/json": {"example": {"message": "bad", "errors": [{"field": "x", "message": "y"}]}}}}"#
        let body = #"{"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["x"], "properties": {"x": {"type": "string"}}}}}}"#
        let result = try Self.convert(Self.description(paths: #"""
        {"/a": {"post": {"requestBody": \#(body), "responses": {"201": {"description": "ok"}, "400": \#(plain)}}},
         "/b": {"post": {"requestBody": \#(body), "responses": {"201": {"description": "ok"}, "400": \#(plain)}}},
         "/c": {"post": {"requestBody": \#(body), "responses": {"201": {"description": "ok"}, "400": \#(listed)}}}}
        """#))
        #expect(result.file.at("triggers", "validation", "at") == .string("errors"))
        #expect(result.file.at("errors", "400", "body")?.serializedString == #"{"message":"bad","errors":[{"field":"x","message":"y"}]}"#)
        #expect(result.file.at("errors", "400", "endpoints") == nil)
        #expect(result.file.at("errors", "400_2", "endpoints") == .array([.string("post-a"), .string("post-b")]))
    }

    @Test func propertiesBesideAllOfAndFlagsBesideARefAreKept() throws {
        let result = try Self.convert(Self.description(paths: #"""
        {"/pets": {"post": {"requestBody": {"content": {"application/json": {"schema": {
          "allOf": [{"$ref": "#/components/schemas/Pet"}], "required": ["bark"],
          "properties": {"bark": {"type": "boolean"}, "id": {"$ref": "#/components/schemas/Id", "readOnly": true}}}}}},
          "responses": {"201": {"description": "ok"}}}}}
        """#, components: ##"{"schemas": {"Id": {"type": "string"}, "Pet": {"type": "object", "required": ["name", "id"], "properties": {"name": {"type": "string"}, "id": {"$ref": "#/components/schemas/Id"}}}}}"##))
        let rules = result.file.at("endpoints", 0, "validate")?.arrayItems?.map(\.serializedString)
        #expect(rules == [#"{"field":"name","required":true,"type":"string"}"#, #"{"field":"bark","required":true,"type":"boolean"}"#])
    }

    @Test func noBodyIsSentWhereHTTPHasNoneAndStarContentIsJSON() throws {
        let result = try Self.convert(Self.description(paths: #"""
        {"/a": {"delete": {"responses": {"204": {"description": "gone", "content": {"application/json": {"example": {"ok": true}}}}}},
                "get": {"responses": {"200": {"description": "ok", "content": {"*/*": {"example": {"ok": true}}}}}}}}
        """#))
        #expect(result.file.at("endpoints", 0, "response")?.serializedString == #"{"status":204}"#)
        #expect(result.file.at("endpoints", 1, "response")?.serializedString == #"{"status":200,"body":{"ok":true}}"#)
        #expect(result.notes.lines.contains { $0.hasPrefix("bodies documented for 204 or 304") })
    }

    @Test func unsendableHeadersAndStrayPathParametersAreNoted() throws {
        let result = try Self.convert(Self.description(paths: #"""
        {"/a/{id}": {"get": {"parameters": [{"name": "ID", "in": "path", "required": true, "schema": {"type": "integer"}}],
          "responses": {"200": {"description": "ok", "headers": {"X Bad": {"schema": {"type": "string"}, "example": "1"}, "X-Two": {"schema": {"type": "string"}, "example": "a\nb"}}}}}}}
        """#))
        #expect(result.file.at("endpoints", 0, "validate") == nil)
        #expect(result.file.at("endpoints", 0, "response")?.serializedString == #"{"status":200}"#)
        #expect(result.notes.lines.contains { $0.hasPrefix("path parameters the path does not hold") })
        #expect(result.notes.lines.contains { $0.hasPrefix("response headers whose name or example cannot be sent") })
    }

    @Test func jsonWithSurrogatePairEscapesIsRead() throws {
        let result = try Self.convert(Self.description(paths: #"{"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"example": {"mood": "\ud83d\ude00"}}}}}}}}"#))
        #expect(result.file.at("endpoints", 0, "response", "body", "mood") == .string("😀"))
    }

    @Test func yamlMergeKeysAreMergedAndAliasBombsRefused() throws {
        let merged = try Self.convert("""
        openapi: 3.1.0
        info: {title: T, version: "1"}
        paths:
          /a:
            get:
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      example:
                        <<: &base {kind: pet, legs: 4}
                        name: Rex
        """)
        #expect(merged.file.at("endpoints", 0, "response", "body")?.serializedString == #"{"name":"Rex","kind":"pet","legs":4}"#)

        var bomb = "openapi: 3.1.0\ninfo: {title: T, version: \"1\"}\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 { bomb += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        bomb += "paths: {}\n"
        #expect(throws: ImportError.self) { try Self.convert(bomb) }
        let deep = "openapi: 3.1.0\nx: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
        #expect(throws: ImportError(pointer: "", message: "nested deeper than 512 levels")) { try Self.convert(deep) }
    }
}
