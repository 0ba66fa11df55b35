import Testing
import FaultlineHTTP
import FaultlineScenarios

/// A suite that talks to an engine built from the bundled scenario files, with no valid-key
/// list from the environment (any non-empty key is accepted).
protocol BundledEngineSuite {
    var engine: ScenarioEngine { get }
}

extension BundledEngineSuite {
    static func loadBundledEngine() throws -> ScenarioEngine {
        let (catalog, diagnostics) = ScenarioLoader.loadDirectory(Bundled.scenarios)
        #expect(diagnostics.isEmpty)
        return try ScenarioEngine(catalog: catalog, environment: { _ in nil })
    }

    func send(_ method: String, _ target: String, _ headers: HTTPHeaders = [:], body: String = "", to engine: ScenarioEngine? = nil) -> (status: Int, headers: HTTPHeaders, body: String) {
        var all: HTTPHeaders = ["Host": "localhost"]
        for field in headers { all.add(name: field.name, value: field.value) }
        let response = (engine ?? self.engine).respond(to: .make(method, target, headers: all, body: body))
        return (response.status, response.headers, String(decoding: response.body, as: UTF8.self))
    }
}
