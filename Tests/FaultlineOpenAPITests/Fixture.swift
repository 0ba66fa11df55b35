import FaultlineScenarios
@testable import FaultlineOpenAPI

/// The descriptions written for these tests, beside this file in Fixtures/.
enum Fixture {
    static let directory: String = {
        let file = #filePath
        return String(file[..<file.lastIndex(of: "/")!]) + "/Fixtures"
    }()

    static func path(_ name: String) -> String { directory + "/" + name }

    static func bytes(_ name: String) throws -> [UInt8] {
        try FileSystem.readFile(path(name), limit: 1 << 20)
    }

    static func imported(_ name: String, vendor: String) throws -> OpenAPIImport.Result {
        try OpenAPIImport.convert(bytes(name), file: name, vendor: vendor)
    }

    /// The value at a JSON pointer of a JSON fixture, as written (key order, number literals).
    static func value(_ name: String, at pointer: String) throws -> JSONValue? {
        RawDocument(root: try JSONParser.parse(bytes(name))).value(at: pointer)
    }
}

extension JSONValue {
    /// A member by key path, `["endpoints", 0, "id"]` style, for short assertions.
    func at(_ path: Any...) -> JSONValue? {
        var current: JSONValue? = self
        for step in path {
            if let key = step as? String { current = current?[key] } else if let index = step as? Int { current = current?[index] }
        }
        return current
    }

}
