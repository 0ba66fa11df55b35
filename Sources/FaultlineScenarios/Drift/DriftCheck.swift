import FaultlineHTTP

/// A live answer set against what the file says: the status, the JSON shape (keys and value
/// types, recursively) and the significant fields (content type, rate limits, `Retry-After`,
/// `Location`, `WWW-Authenticate`: present when the file declares them).
public enum DriftCheck {
    public struct Result: Sendable {
        public var probe: DriftPlan.Probe
        /// The live status; nil when the request got no answer.
        public var status: Int?
        /// What differs; empty when nothing does.
        public var differences: [String]
        public var drifted: Bool { status != nil && !differences.isEmpty }
        public var failed: Bool { status == nil }
    }

    /// Asks `upstream` each probe in turn. `headers` (credentials) go with the probes whose
    /// recorded request carried one, or did not say.
    public static func run(_ probes: [DriftPlan.Probe], against upstream: Upstream, headers: [(String, String)]) -> [Result] {
        probes.map { probe in
            var fields = HTTPHeaders()
            if probe.credential != false { for (name, value) in headers { fields.add(name: name, value: value) } }
            if !probe.body.isEmpty { fields.add(name: "Content-Type", value: "application/json") }
            do {
                let answer = try upstream.exchange(method: probe.method, target: probe.target, headers: fields, body: probe.body)
                return Result(probe: probe, status: answer.status, differences: compare(probe, status: answer.status, headers: answer.headers, body: answer.body))
            } catch {
                return Result(probe: probe, status: nil, differences: ["no answer: \(error)"])
            }
        }
    }

    public static func compare(_ probe: DriftPlan.Probe, status: Int, headers: HTTPHeaders, body: [UInt8]) -> [String] {
        var differences: [String] = []
        if status != probe.expected.status { differences.append("status \(probe.expected.status) → \(status)") }
        let declaredType = probe.expectedHeaders.first { $0.name.lowercased() == "content-type" }?.value
        let liveType = headers["Content-Type"]
        var expectedBody = probe.expected.body
        // A recorded JSON body kept as text (to be sent byte for byte) still has a shape.
        if case .text(let text) = expectedBody, let json = try? JSONParser.parse(Array(text.utf8)) { expectedBody = .json(json) }
        switch expectedBody {
        case .json(let expected):
            if let declaredType, mediaType(declaredType) != liveType.map(mediaType) {
                differences.append("Content-Type \(mediaType(declaredType)) → \(liveType.map(mediaType) ?? "none")")
            }
            if let live = try? JSONParser.parse(body) {
                shape(expected, live, at: "$", into: &differences)
            } else {
                differences.append("body: JSON → \(body.isEmpty ? "empty" : "not JSON")")
            }
        case .text, .none:
            if let declaredType, mediaType(declaredType) != liveType.map(mediaType) {
                differences.append("Content-Type \(mediaType(declaredType)) → \(liveType.map(mediaType) ?? "none")")
            }
        }
        for header in probe.expectedHeaders where isSignificant(header.name) && header.name.lowercased() != "content-type" && headers[header.name] == nil {
            differences.append("\(header.name): missing")
        }
        return differences
    }

    static func isSignificant(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return ["content-type", "retry-after", "location", "www-authenticate"].contains(lowered)
            || lowered.hasPrefix("x-ratelimit") || lowered.hasPrefix("ratelimit") || lowered.hasPrefix("x-rate-limit")
    }

    private static func mediaType(_ value: String) -> String {
        value.prefix { $0 != ";" }.trimmingWhitespace().lowercased()
    }

    /// Keys missing or new, and value types changed; a templated string (`{{…}}`) is any value.
    static func shape(_ expected: JSONValue, _ live: JSONValue, at path: String, into differences: inout [String]) {
        if case .string(let text) = expected, text.contains("{{") { return }
        switch (expected, live) {
        case (.object(let want), .object(let got)):
            for member in want {
                let child = JSONPath.child(path, member.key)
                if let value = got.first(where: { $0.key == member.key })?.value {
                    shape(member.value, value, at: child, into: &differences)
                } else {
                    differences.append("\(child): missing")
                }
            }
            for member in got where !want.contains(where: { $0.key == member.key }) {
                differences.append("\(JSONPath.child(path, member.key)): new (\(typeName(member.value)))")
            }
        case (.array(let want), .array(let got)):
            if let first = want.first, let live = got.first { shape(first, live, at: JSONPath.index(path, 0), into: &differences) }
        default:
            if typeName(expected) != typeName(live) { differences.append("\(path): \(typeName(expected)) → \(typeName(live))") }
        }
    }

    private static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
