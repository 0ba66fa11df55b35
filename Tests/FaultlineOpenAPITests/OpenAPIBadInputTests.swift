import Testing
import FaultlineScenarios
import FaultlineTesting
@testable import FaultlineOpenAPI

/// A description that cannot be read is refused with the file, the JSON pointer and the
/// problem, and nothing is written.
@Suite struct OpenAPIBadInputTests {
    static let minimal = #"{"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}"#

    static func refusal(_ text: String, vendor: String = "acme") throws -> ImportError {
        let directory = try TemporaryDirectory()
        try directory.write("spec.yaml", text)
        var refused: ImportError?
        do {
            _ = try OpenAPIImport.run(spec: directory.path + "/spec.yaml", vendor: vendor, out: directory.path + "/out", replace: false)
        } catch {
            refused = error
        }
        #expect(TemporaryDirectory.contents(of: directory.path + "/out/\(vendor).json") == nil, "nothing is written")
        let error = try #require(refused)
        #expect(error.file == directory.path + "/spec.yaml")
        #expect(error.description.hasPrefix(directory.path + "/spec.yaml: "))
        return error
    }

    @Test func malformedYAMLIsRefusedWithItsLine() throws {
        let error = try Self.refusal("openapi: 3.1.0\ninfo: [unclosed\n")
        #expect(error.pointer == "")
        #expect(error.message.hasPrefix("not valid YAML: "))
        #expect(error.message.contains("3:1"))
    }

    @Test func malformedJSONIsRefusedWithItsLineAndColumn() throws {
        let error = try Self.refusal(#"{"openapi": "3.1.0", "info": }"#)
        #expect(error.pointer == "")
        #expect(error.message.hasPrefix("not valid JSON: line 1, column 30"))
    }

    @Test func swaggerTwoAndUnknownVersionsAreRefusedAtTheirKey() throws {
        let swagger = try Self.refusal(#"{"swagger": "2.0", "info": {"title": "T", "version": "1"}, "paths": {}}"#)
        #expect(swagger.pointer == "/swagger")
        #expect(swagger.message.contains("Swagger 2.0 is not supported"))
        let future = try Self.refusal(Self.minimal.replacingOccurrences(of: "3.1.0", with: "4.0.0"))
        #expect(future.pointer == "/openapi")
        #expect(future.message == "OpenAPI 4.0.0 is not supported (3.0.x, 3.1.x and 3.2.x are)")
        let none = try Self.refusal(#"{"info": {"title": "T", "version": "1"}}"#)
        #expect(none.pointer == "/openapi")
    }

    @Test func aReferenceToNothingIsRefusedWhereItIsWritten() throws {
        let text = Self.minimal.replacingOccurrences(of: #""description": "ok""#, with: ##""description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Missing"}}}"##)
        let error = try Self.refusal(text)
        #expect(error.pointer == "/paths/~1a/get/responses/200/content/application~1json/schema")
        #expect(error.message.hasPrefix("$ref '#/components/schemas/Missing' cannot be resolved"))
    }

    @Test func aReferenceIntoAnotherFileIsRefusedWithAHint() throws {
        let text = Self.minimal.replacingOccurrences(of: #"{"description": "ok"}"#, with: ##"{"$ref": "common.yaml#/components/responses/Ok"}"##)
        let error = try Self.refusal(text)
        #expect(error.pointer == "/paths/~1a/get/responses/200")
        #expect(error.message.contains("bundle a description of several files first"))
    }

    @Test func aWrongShapeIsRefusedAtOpenAPIKitsCodingPath() throws {
        let error = try Self.refusal(Self.minimal.replacingOccurrences(of: #"{"200": {"description": "ok"}}"#, with: #""none""#))
        #expect(error.pointer.hasPrefix("/paths/~1a/get"))
        #expect(!error.message.isEmpty)
    }

    @Test func aDescriptionWithNothingToServeIsRefused() throws {
        let error = try Self.refusal(Self.minimal.replacingOccurrences(of: #""get""#, with: #""options""#))
        #expect(error.pointer == "/paths")
    }

    @Test func aBadVendorNameIsRefused() throws {
        let error = try Self.refusal(Self.minimal, vendor: "Acme")
        #expect(error.message.contains("vendor name 'Acme'"))
    }

    @Test func anExistingFileIsReplacedOnlyWhenAsked() throws {
        let directory = try TemporaryDirectory()
        try directory.write("spec.json", Self.minimal)
        try FileSystem.makeDirectory(directory.path + "/out")
        try directory.write("out/acme.json", "{}")
        #expect(throws: ImportError.self) {
            try OpenAPIImport.run(spec: directory.path + "/spec.json", vendor: "acme", out: directory.path + "/out", replace: false)
        }
        #expect(TemporaryDirectory.text(of: directory.path + "/out/acme.json") == "{}")
        let (path, result) = try OpenAPIImport.run(spec: directory.path + "/spec.json", vendor: "acme", out: directory.path + "/out", replace: true)
        #expect(path == directory.path + "/out/acme.json")
        #expect(result.endpoints == 1)
        #expect(TemporaryDirectory.text(of: path).hasPrefix("{\n  \"vendor\": \"acme\""))
    }
}
