import Testing
import FaultlineScenarios
import FaultlineTesting

extension TestResponse {
    /// The body's JSON at `path` (`["data", "trackings", "0", "id"]`; a number indexes an
    /// array), recorded as a failure naming the path and the body when it is not there.
    func json(at path: [String]) throws -> JSONValue {
        var value = try JSONParser.parse(body)
        for key in path {
            if let index = Int(key), case .array = value {
                value = try #require(value[index], "\(path) in \(text)")
            } else {
                value = try #require(value[key], "\(path) in \(text)")
            }
        }
        return value
    }

    /// The string at `path`.
    func string(at path: [String]) throws -> String {
        try #require(try json(at: path).stringValue, "\(path) in \(text) is not a string")
    }
}
