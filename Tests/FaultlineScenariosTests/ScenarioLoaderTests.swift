import Testing
import FaultlineScenarios
import FaultlineTesting

/// A minimal valid vendor file; each test changes one thing.
enum VendorFile {
    static func make(
        vendor: String = "acme",
        basePaths: String = #"["/v1"]"#,
        endpoints: String = #"[{"id":"getThing","method":"GET","path":"/things/{id}","response":{"status":200,"body":{"id":"{{path.id}}"}}}]"#,
        errors: String = #"{"401":{"status":401,"body":{"error":"Unauthorized"}}}"#,
        extra: String = ""
    ) -> [UInt8] {
        Array(#"{"vendor":"\#(vendor)","basePaths":\#(basePaths),"endpoints":\#(endpoints),"errors":\#(errors)\#(extra)}"#.utf8)
    }
}

@Suite struct ScenarioLoaderTests {
    private func diagnostics(_ bytes: [UInt8]) -> [ScenarioDiagnostic] {
        switch ScenarioLoader.parse(bytes, file: "acme.json") {
        case .success: return []
        case .failure(let failure): return failure.diagnostics
        }
    }

    @Test func loadsAValidFile() throws {
        let vendor = try ScenarioLoader.parse(VendorFile.make(), file: "acme.json").get()
        #expect(vendor.name == "acme")
        #expect(vendor.endpoints.map(\.id) == ["getThing"])
        #expect(vendor.errors.map(\.name) == ["401"])
    }

    struct BadFile: CustomTestStringConvertible, Sendable {
        let name: String
        let bytes: [UInt8]
        let path: String
        let message: String
        var testDescription: String { name }
    }

    static let badFiles: [BadFile] = [
        BadFile(name: "invalid JSON", bytes: Array(#"{"vendor": "acme", }"#.utf8), path: "$", message: "invalid JSON at line 1"),
        BadFile(name: "unknown top-level key", bytes: VendorFile.make(extra: #","basepath":"/v1""#), path: "$.basepath", message: "unknown key 'basepath'"),
        BadFile(name: "unknown response key", bytes: VendorFile.make(errors: #"{"401":{"status":401,"bdy":{}}}"#), path: #"$.errors["401"].bdy"#, message: "unknown key 'bdy'"),
        BadFile(name: "body and text together", bytes: VendorFile.make(errors: #"{"401":{"status":401,"body":{},"text":"no"}}"#), path: #"$.errors["401"]"#, message: "'body' and 'text' conflict"),
        BadFile(name: "unknown endpoint reference", bytes: VendorFile.make(errors: #"{"409":{"status":409,"endpoints":["createThing"]}}"#), path: #"$.errors["409"].endpoints[0]"#, message: "unknown endpoint id 'createThing'"),
        BadFile(name: "duplicate endpoint", bytes: VendorFile.make(endpoints: #"[{"id":"a","method":"GET","path":"/t/{id}","response":{"status":200}},{"id":"b","method":"GET","path":"/t/{key}","response":{"status":200}}]"#), path: "$.endpoints[1].path", message: "duplicate endpoint"),
        BadFile(name: "duplicate endpoint id", bytes: VendorFile.make(endpoints: #"[{"id":"a","method":"GET","path":"/t","response":{"status":200}},{"id":"a","method":"POST","path":"/t","response":{"status":201}}]"#), path: "$.endpoints[1].id", message: "duplicate endpoint id 'a'"),
        BadFile(name: "duplicate JSON key", bytes: Array(#"{"vendor":"acme","vendor":"other","basePaths":["/v1"],"endpoints":[]}"#.utf8), path: "$.vendor", message: "duplicate key 'vendor'"),
        BadFile(name: "status out of range", bytes: VendorFile.make(errors: #"{"x":{"status":600}}"#), path: #"$.errors.x.status"#, message: "integer HTTP status"),
        BadFile(name: "interim status", bytes: VendorFile.make(errors: #"{"x":{"status":101}}"#), path: #"$.errors.x.status"#, message: "from 200 to 599"),
        BadFile(name: "unknown method", bytes: VendorFile.make(endpoints: #"[{"id":"a","method":"FETCH","path":"/t","response":{"status":200}}]"#), path: "$.endpoints[0].method", message: "unknown method 'FETCH'"),
        BadFile(name: "path without slash", bytes: VendorFile.make(endpoints: #"[{"id":"a","method":"GET","path":"t","response":{"status":200}}]"#), path: "$.endpoints[0].path", message: "must start with '/'"),
        BadFile(name: "names differing only by case", bytes: VendorFile.make(errors: #"{"auth_001":{"status":401},"AUTH_001":{"status":401}}"#), path: #"$.errors.AUTH_001"#, message: "clashes with 'auth_001'"),
        BadFile(name: "reserved name default", bytes: VendorFile.make(errors: #"{"Default":{"status":500}}"#), path: #"$.errors.Default"#, message: "'default' is reserved"),
        BadFile(name: "endpoint scenario hiding a catalog entry", bytes: VendorFile.make(endpoints: #"[{"id":"a","method":"GET","path":"/t","response":{"status":200},"scenarios":{"401":{"status":401}}}]"#), path: #"$.endpoints[0].scenarios["401"]"#, message: "conflicts with the catalog entry"),
        BadFile(name: "unknown template source", bytes: VendorFile.make(errors: #"{"x":{"status":400,"body":{"m":"{{bogus}}"}}}"#), path: "$.errors.x.body.m", message: "unknown template source 'bogus'"),
        BadFile(name: "unterminated placeholder", bytes: VendorFile.make(errors: #"{"x":{"status":400,"body":{"m":"{{uuid"}}}"#), path: "$.errors.x.body.m", message: "unterminated placeholder"),
        BadFile(name: "path parameter the endpoint lacks", bytes: VendorFile.make(endpoints: #"[{"id":"a","method":"GET","path":"/t","response":{"status":200,"body":{"id":"{{path.id}}"}}}]"#), path: "$.endpoints[0].response.body.id", message: "has no parameter 'id'"),
        BadFile(name: "invalid vendor name", bytes: VendorFile.make(vendor: "Acme Corp"), path: "$.vendor", message: "not a valid vendor name"),
        BadFile(name: "header value with a newline", bytes: VendorFile.make(errors: #"{"x":{"status":400,"headers":{"X-A":"a\nb"}}}"#), path: #"$.errors.x.headers["X-A"]"#, message: "control characters (CR, LF, NUL, DEL or others; a tab is allowed)"),
        BadFile(name: "header value with a DEL", bytes: VendorFile.make(errors: #"{"x":{"status":400,"headers":{"X-A":"a\u007fb"}}}"#), path: #"$.errors.x.headers["X-A"]"#, message: "control characters"),
        BadFile(name: "endpoint under a base path the vendor lacks", bytes: VendorFile.make(endpoints: #"[{"id":"a","method":"GET","path":"/t","basePaths":["/v2"],"response":{"status":200}}]"#), path: "$.endpoints[0].basePaths[0]", message: "'/v2' is not one of this vendor's basePaths"),
        BadFile(name: "a third endpoint of one shape names the first", bytes: VendorFile.make(endpoints: #"[{"id":"a","method":"GET","path":"/t/{id}","response":{"status":200}},{"id":"b","method":"POST","path":"/t/{id}","response":{"status":200}},{"id":"c","method":"GET","path":"/t/{x}","response":{"status":200}}]"#), path: "$.endpoints[2].path", message: "same method and path shape as $.endpoints[0]"),
        BadFile(name: "a parameter name in both the base path and the path", bytes: VendorFile.make(basePaths: #"["/{org}"]"#, endpoints: #"[{"id":"a","method":"GET","path":"/t/{org}","response":{"status":200}}]"#), path: "$.endpoints[0].path", message: "used twice in the full path"),
        BadFile(name: "a base path parameter not every base path has", bytes: VendorFile.make(basePaths: #"["/{org}","/v2"]"#, endpoints: #"[{"id":"a","method":"GET","path":"/t","response":{"status":200,"body":"{{path.org}}"}}]"#), path: "$.endpoints[0].response.body", message: "has no parameter 'org'"),
        BadFile(name: "same endpoint twice under one base path", bytes: VendorFile.make(basePaths: #"["/v1","/v2"]"#, endpoints: #"[{"id":"a","method":"GET","path":"/t","basePaths":["/v2"],"response":{"status":200}},{"id":"b","method":"GET","path":"/t","response":{"status":200}}]"#), path: "$.endpoints[1].path", message: "duplicate endpoint"),
        BadFile(name: "allowed values for a parameter no base path has", bytes: VendorFile.make(extra: #","basePathParameters":{"version":["2024-04"]}"#), path: "$.basePathParameters.version", message: "not a parameter of any of this vendor's basePaths"),
        BadFile(name: "an allowed value with a slash", bytes: VendorFile.make(basePaths: #"["/api/{version}"]"#, extra: #","basePathParameters":{"version":["2024/04"]}"#), path: "$.basePathParameters.version[0]", message: "without '/'"),
        BadFile(name: "body on a 204", bytes: VendorFile.make(errors: #"{"x":{"status":204,"body":{}}}"#), path: "$.errors.x.status", message: "cannot carry a body"),
    ]

    @Test(arguments: badFiles)
    func rejectsAnInvalidFileNamingThePathAndTheProblem(_ bad: BadFile) throws {
        let found = diagnostics(bad.bytes)
        let match = found.first { $0.path == bad.path && $0.message.contains(bad.message) }
        #expect(match != nil, "got \(found)")
        #expect(found.allSatisfy { $0.file == "acme.json" })
        #expect(match?.description.hasPrefix("acme.json: \(bad.path): ") == true)
    }

    @Test func loadsTheBundledScenariosWithoutAnyDiagnostic() {
        let (catalog, diagnostics) = ScenarioLoader.loadDirectory(Bundled.scenarios)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(catalog.vendors.map(\.name) == ["aftership", "flexforward", "generic", "price2b", "trackbot"])
    }

    @Test func aBrokenFileIsReportedAndTheOthersStillLoad() throws {
        let directory = try TemporaryDirectory()
        try directory.write("good.json", VendorFile.make(vendor: "good"))
        try directory.write("bad.json", Array(#"{"vendor":"bad","basePaths":["/v1"],"endpoints":[{"id":"a","method":"GET","path":"/t","response":{"status":200}}],"errors":{"x":{"status":"400"}}}"#.utf8))
        try directory.write("twin.json", VendorFile.make(vendor: "good"))
        try directory.write("schema.json", Array("{}".utf8))
        let (catalog, diagnostics) = ScenarioLoader.loadDirectory(directory.path)
        #expect(catalog.vendors.map(\.name) == ["good"])
        #expect(diagnostics.map(\.description) == [
            "bad.json: $.errors.x.status: expected an integer HTTP status from 200 to 599",
            "twin.json: $.vendor: vendor 'good' is already declared in good.json",
        ])
    }
}
