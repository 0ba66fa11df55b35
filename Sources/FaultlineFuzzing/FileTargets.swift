import FaultlineHTTP
import FaultlineScenarios

/// Scenario files: a whole fuzzed file, or a fuzzed template inside a valid one.
enum FileTargets {
    /// The first field is a template, placed in a header, a body and a stored item of one
    /// endpoint; the second is the request's query, the third its body.
    static func template(_ bytes: [UInt8]) {
        var fields = FuzzFields(bytes[...])
        let template = JSONValue.string(fields.text()).serializedString
        let file = #"""
        {"vendor":"fz","basePaths":["/v1"],"collections":{"c":{"keys":["id"]}},"settings":{"n":900,"s":"x"},
         "endpoints":[{"id":"e","method":"POST","path":"/t/{id}",
           "response":{"status":200,"headers":{"X-T":\#(template)},"body":{"a":\#(template),"b":[\#(template),"{{item}}"]}},
           "state":[{"create":"c","item":{"id":"{{uuid}}","v":\#(template)}}]}]}
        """#
        guard case .success(let vendor) = ScenarioLoader.parse(Array(file.utf8), file: "fz.json"),
              let engine = try? ScenarioEngine(catalog: ScenarioCatalog(vendors: [vendor]), environment: { _ in nil }) else { return }
        let query = fields.text()
        let request = HTTPRequest(method: "POST", target: "/fz/v1/t/x%2F1" + (query.isEmpty ? "" : "?" + query),
                                  headers: ["Content-Type": "application/json", "X-Faultline-Client": "fz"], body: fields.bytes())
        Invariants.check(engine.respond(to: request), "template \(template)")
    }

    /// The input is a vendor file. When it loads, the engine is built and each endpoint is
    /// asked for its default and each named response (bounded, so that one input stays quick).
    static func scenarioFile(_ bytes: [UInt8]) {
        guard case .success(let vendor) = ScenarioLoader.parse(bytes, file: "fuzz.json"),
              let engine = try? ScenarioEngine(catalog: ScenarioCatalog(vendors: [vendor]), environment: { _ in nil }) else { return }
        for endpoint in vendor.endpoints.prefix(8) {
            for path in FuzzInputs.paths(of: endpoint, in: vendor, "p1").prefix(2) {
                let names = ["default"] + endpoint.scenarios.prefix(4).map(\.name) + vendor.errors.prefix(4).map(\.name)
                for name in names {
                    let target = path + "?scenario=" + name.utf8.map { b in
                        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) ? String(UnicodeScalar(b)) : "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
                    }.joined()
                    let request = HTTPRequest(method: endpoint.method, target: target, headers: ["Content-Type": "application/json", "Authorization": "Bearer fz"], body: Array(#"{"a":1}"#.utf8))
                    // A file may declare a text body with a JSON content type: only the head is checked.
                    Invariants.check(engine.respond(to: request), jsonBody: false, "\(endpoint.method) \(target)")
                }
            }
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - utf8.count)) + self
    }
}
