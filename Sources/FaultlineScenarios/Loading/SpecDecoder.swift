import FaultlineHTTP

/// Turns JSON into the model, rejecting unknown keys and wrong types.
struct SpecDecoder: DiagnosticReporting {
    let file: String
    var diagnostics: [ScenarioDiagnostic] = []
    /// Validation patterns already checked in this file, with why one cannot be used: a file
    /// repeats its id and code patterns across endpoints, and compiling one to check it costs
    /// about 40,000 instructions.
    var checkedPatterns: [String: String?] = [:]

    init(file: String) {
        self.file = file
    }

    /// Checks that `value` is an object with only `allowed` keys and every `required` one.
    mutating func object(_ value: JSONValue, at path: @autoclosure () -> String, allowed: [String], required: [String]) -> [JSONMember]? {
        guard case .object(let members) = value else {
            report(path(), "expected an object")
            return nil
        }
        for member in members where !allowed.contains(where: { $0.utf8.count == member.key.utf8.count && $0 == member.key }) {
            report(JSONPath.child(path(), member.key), "unknown key '\(member.key)' (allowed: \(allowed.joined(separator: ", ")))")
        }
        for key in required where members.value(of: key) == nil {
            report(path(), "missing required key '\(key)'")
        }
        return members
    }

    mutating func string(_ members: [JSONMember], _ key: String, at path: @autoclosure () -> String) -> String? {
        guard let value = members.value(of: key) else { return nil }
        guard case .string(let s) = value else {
            report(JSONPath.child(path(), key), "expected a string")
            return nil
        }
        return s
    }

    mutating func decodeVendor(_ json: JSONValue) -> VendorSpec? {
        let path = "$"
        guard let members = object(json, at: path, allowed: ["$schema", "vendor", "title", "description", "basePaths", "headers", "endpoints", "errors", "triggers", "collections", "settings", "sequences", "chaos", "basePathParameters", "retry"], required: ["vendor", "basePaths", "endpoints"]) else { return nil }
        _ = string(members, "$schema", at: path)
        let name = string(members, "vendor", at: path) ?? ""
        let title = string(members, "title", at: path)
        let description = string(members, "description", at: path)

        let basePaths = members.first(where: { $0.key == "basePaths" }).map { decodeBasePaths($0.value, at: JSONPath.child(path, "basePaths")) } ?? []
        let headers = decodeHeaders(members.value(of: "headers"), at: JSONPath.child(path, "headers"))

        let endpoints = members.first(where: { $0.key == "endpoints" }).map { decodeEndpoints($0.value, at: JSONPath.child(path, "endpoints")) } ?? []
        let errors = members.first(where: { $0.key == "errors" }).map { decodeErrors($0.value, at: JSONPath.child(path, "errors")) } ?? []
        let triggers = members.first(where: { $0.key == "triggers" }).map { decodeTriggers($0.value, at: JSONPath.child(path, "triggers")) } ?? TriggerSpec()
        var vendor = VendorSpec(name: name, title: title, description: description, basePaths: basePaths, headers: headers, endpoints: endpoints, errors: errors, triggers: triggers, file: file)
        if let value = members.value(of: "collections") { vendor.collections = decodeCollections(value, at: JSONPath.child(path, "collections")) }
        if let value = members.value(of: "settings") { vendor.settings = decodeSettings(value, at: JSONPath.child(path, "settings")) }
        if let value = members.value(of: "sequences") { vendor.sequences = decodeSequences(value, at: JSONPath.child(path, "sequences")) }
        if let value = members.value(of: "chaos") { vendor.chaos = decodeChaos(value, vendor: name, at: JSONPath.child(path, "chaos")) }
        if let value = members.value(of: "basePathParameters") {
            vendor.basePathParameters = decodeBasePathParameters(value, at: JSONPath.child(path, "basePathParameters"))
        }
        if let value = members.value(of: "retry") { vendor.retry = decodeRetry(value, at: JSONPath.child(path, "retry")) }
        return vendor
    }

    mutating func decodeBasePaths(_ value: JSONValue, at path: String) -> [String] {
        guard case .array(let items) = value, !items.isEmpty else {
            report(path, "expected a non-empty array of path strings")
            return []
        }
        var basePaths: [String] = []
        for (i, item) in items.enumerated() {
            if case .string(let s) = item { basePaths.append(s) } else { report(JSONPath.index(path, i), "expected a string") }
        }
        return basePaths
    }

    mutating func decodeEndpoints(_ value: JSONValue, at path: String) -> [EndpointSpec] {
        guard case .array(let items) = value, !items.isEmpty else {
            report(path, "expected a non-empty array of endpoints")
            return []
        }
        // Sized once: the list lives as long as the vendor, and growth by doubling would leave
        // up to half of it unused.
        var endpoints: [EndpointSpec] = []
        endpoints.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            if let endpoint = decodeEndpoint(item, at: JSONPath.index(path, i)) { endpoints.append(endpoint) }
        }
        return endpoints
    }

    /// The error catalog: scenario name → response, offered by every endpoint unless it lists some.
    mutating func decodeErrors(_ value: JSONValue, at path: String) -> [NamedResponse] {
        guard case .object(let entries) = value else {
            report(path, "expected an object of scenario name to response")
            return []
        }
        return entries.compactMap { decodeNamedResponse($0.key, $0.value, at: JSONPath.child(path, $0.key), allowEndpoints: true) }
    }

    /// A vendor's own chaos, `"429@0.1,reset@0.02"`: its scenarios, so no vendor prefix.
    mutating func decodeChaos(_ value: JSONValue, vendor name: String, at path: String) -> [ChaosRule] {
        guard case .string(let text) = value, let rules = ChaosRule.parse(text), rules.allSatisfy({ $0.vendor == nil }) else {
            report(path, "expected \"scenario@probability,...\" (e.g. \"429@0.1,reset@0.02\"; no vendor prefix in a vendor's own file)")
            return []
        }
        if rules.reduce(0, { $0 + $1.probability }) > 1 { report(path, "the probabilities add up to more than 1") }
        return rules.map { ChaosRule(vendor: name, scenario: $0.scenario, probability: $0.probability) }
    }

    /// `{"api_version": ["2024-04", "2024-07"]}`: each parameter's allowed values, in order.
    mutating func decodeBasePathParameters(_ value: JSONValue, at path: String) -> [(name: String, values: [String])] {
        guard case .object(let entries) = value else {
            report(path, "expected an object of base path parameter name to an array of allowed values")
            return []
        }
        var out: [(name: String, values: [String])] = []
        for entry in entries {
            let entryPath = JSONPath.child(path, entry.key)
            guard case .array(let items) = entry.value, !items.isEmpty else {
                report(entryPath, "expected a non-empty array of allowed values")
                continue
            }
            var values: [String] = []
            for (i, item) in items.enumerated() {
                if case .string(let s) = item, !s.isEmpty, !s.utf8.contains(UInt8(ascii: "/")) {
                    values.append(s)
                } else {
                    report(JSONPath.index(entryPath, i), "expected a non-empty string without '/'")
                }
            }
            out.append((entry.key, values))
        }
        return out
    }

    mutating func strings(_ members: [JSONMember], _ key: String, at path: @autoclosure () -> String) -> [String]? {
        guard let value = members.value(of: key) else { return nil }
        guard case .array(let items) = value else {
            report(JSONPath.child(path(), key), "expected an array of strings")
            return nil
        }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            if case .string(let s) = item { out.append(s) } else { report(JSONPath.index(JSONPath.child(path(), key), i), "expected a string") }
        }
        return out
    }

    mutating func bool(_ members: [JSONMember], _ key: String, at path: @autoclosure () -> String) -> Bool? {
        guard let value = members.value(of: key) else { return nil }
        guard case .bool(let b) = value else {
            report(JSONPath.child(path(), key), "expected true or false")
            return nil
        }
        return b
    }

    mutating func positiveNumber(_ members: [JSONMember], _ key: String, at path: @autoclosure () -> String) -> Double? {
        guard let value = members.value(of: key) else { return nil }
        guard case .number(let text) = value, let number = Double(text), number > 0, number <= 31_536_000 else {
            report(JSONPath.child(path(), key), "expected a number greater than 0 and at most a year in seconds (31536000)")
            return nil
        }
        return number
    }

    mutating func decodeHeaders(_ value: JSONValue?, at path: @autoclosure () -> String) -> [HeaderSpec] {
        guard let value else { return [] }
        guard case .object(let members) = value else {
            report(path(), "expected an object of header name to value")
            return []
        }
        var headers: [HeaderSpec] = []
        var seen: Set<String> = []
        for member in members {
            func memberPath() -> String { JSONPath.child(path(), member.key) }
            guard case .string(let text) = member.value else {
                report(memberPath(), "header values are strings")
                continue
            }
            guard !member.key.isEmpty, member.key.utf8.allSatisfy({ $0.isHeaderNameChar }) else {
                report(memberPath(), "'\(member.key)' is not a valid header name")
                continue
            }
            guard seen.insert(member.key.lowercased()).inserted else {
                report(memberPath(), "header '\(member.key)' is set twice (names are case-insensitive)")
                continue
            }
            // RFC 9110 §5.5: a field value is visible characters, spaces and tabs.
            if text.utf8.contains(where: HTTPHeaders.isForbiddenInValue) {
                report(memberPath(), "header values may not contain control characters (CR, LF, NUL, DEL or others; a tab is allowed)")
                continue
            }
            headers.append(HeaderSpec(name: member.key, value: text))
        }
        return headers
    }

    mutating func decodeEndpoint(_ value: JSONValue, at path: @autoclosure () -> String) -> EndpointSpec? {
        guard let members = object(value, at: path(), allowed: ["id", "method", "path", "basePaths", "description", "response", "scenarios", "scope", "public", "validate", "state", "examples"], required: ["id", "method", "path", "response"]) else { return nil }
        let id = string(members, "id", at: path()) ?? ""
        let method = string(members, "method", at: path()) ?? ""
        let endpointPath = string(members, "path", at: path()) ?? ""
        let description = string(members, "description", at: path())
        var response: ResponseSpec?
        if let value = members.value(of: "response") {
            response = decodeResponse(value, at: JSONPath.child(path(), "response"), allowEndpoints: false)?.response
        }
        var scenarios: [NamedResponse] = []
        if let value = members.value(of: "scenarios") {
            let scenariosPath = JSONPath.child(path(), "scenarios")
            if case .object(let entries) = value {
                for entry in entries {
                    if let named = decodeNamedResponse(entry.key, entry.value, at: JSONPath.child(scenariosPath, entry.key), allowEndpoints: false) { scenarios.append(named) }
                }
            } else {
                report(scenariosPath, "expected an object of scenario name to response")
            }
        }
        guard let response else { return nil }
        let scope = string(members, "scope", at: path())
        var rules: [ValidationRule] = []
        if let value = members.value(of: "validate") {
            let rulesPath = JSONPath.child(path(), "validate")
            if case .array(let items) = value {
                for (i, item) in items.enumerated() {
                    if let rule = decodeRule(item, at: JSONPath.index(rulesPath, i)) { rules.append(rule) }
                }
            } else {
                report(rulesPath, "expected an array of rules")
            }
        }
        var endpoint = EndpointSpec(id: id, method: method, path: endpointPath, description: description, response: response, scenarios: scenarios, scope: scope, validate: rules)
        if let value = members.value(of: "public") {
            if case .bool(let flag) = value { endpoint.isPublic = flag } else { report(JSONPath.child(path(), "public"), "expected true or false") }
        }
        endpoint.template = try? PathTemplate.parse(endpointPath, allowEmpty: false).get()
        if let value = members.value(of: "state") { endpoint.state = decodeState(value, at: JSONPath.child(path(), "state")) }
        if let value = members.value(of: "examples") { endpoint.examples = decodeExamples(value, at: JSONPath.child(path(), "examples")) }
        if (members.value(of: "basePaths") != nil) {
            endpoint.basePaths = strings(members, "basePaths", at: path()) ?? []
            if endpoint.basePaths?.isEmpty == true { report(JSONPath.child(path(), "basePaths"), "expected a non-empty array of the vendor's base paths") }
        }
        return endpoint
    }

    mutating func decodeNamedResponse(_ name: String, _ value: JSONValue, at path: String, allowEndpoints: Bool) -> NamedResponse? {
        guard let decoded = decodeResponse(value, at: path, allowEndpoints: allowEndpoints, allowState: true) else { return nil }
        var named = NamedResponse(name: name, response: decoded.response, endpoints: decoded.endpoints, jsonPath: path)
        if case .object(let members) = value, let state = members.value(of: "state") {
            named.state = decodeState(state, at: JSONPath.child(path, "state"))
        }
        return named
    }

    mutating func decodeResponse(_ value: JSONValue, at path: @autoclosure () -> String, allowEndpoints: Bool, allowState: Bool = false) -> (response: ResponseSpec, endpoints: [String]?)? {
        var allowed = ["status", "description", "headers", "body", "text", "delay", "fault", "literal"]
        if allowEndpoints { allowed.append("endpoints") }
        if allowState { allowed.append("state") }
        guard let members = object(value, at: path(), allowed: allowed, required: ["status"]) else { return nil }
        var status = 0
        if let value = members.value(of: "status") {
            // 1xx are interim responses (RFC 9110 §15.2): a scenario answers with a final one.
            if case .number(let text) = value, let code = Int(text), (200...599).contains(code) {
                status = code
            } else {
                report(JSONPath.child(path(), "status"), "expected an integer HTTP status from 200 to 599")
            }
        }
        let description = string(members, "description", at: path())
        let headers = decodeHeaders(members.value(of: "headers"), at: JSONPath.child(path(), "headers"))
        let json = members.value(of: "body")
        let text = string(members, "text", at: path())
        var body = ResponseSpec.Body.none
        if json != nil && (members.value(of: "text") != nil) {
            report(path(), "'body' and 'text' conflict: a response has one body; keep one of them")
        } else if let json {
            body = .json(json)
        } else if let text {
            body = .text(text)
        }
        var endpoints: [String]?
        if let value = members.value(of: "endpoints") {
            let endpointsPath = JSONPath.child(path(), "endpoints")
            if case .array(let items) = value, !items.isEmpty {
                endpoints = []
                for (i, item) in items.enumerated() {
                    if case .string(let s) = item { endpoints?.append(s) } else { report(JSONPath.index(endpointsPath, i), "expected an endpoint id") }
                }
            } else {
                report(endpointsPath, "expected a non-empty array of endpoint ids")
            }
        }
        var response = ResponseSpec(status: status, description: description, headers: headers, body: body)
        if let value = members.value(of: "delay") {
            let text: String? = switch value {
            case .number(let n): n
            case .string(let s): s
            default: nil
            }
            response.delay = text.flatMap(DelaySpec.init(parsing:))
            if response.delay == nil { report(JSONPath.child(path(), "delay"), "expected milliseconds (1500), a range (\"500-1500\") or \"lognormal:MEDIAN_MS:SIGMA\"") }
        }
        if let name = string(members, "fault", at: path()) {
            response.fault = ResponseFault(rawValue: name)
            if response.fault == nil { report(JSONPath.child(path(), "fault"), "unknown fault '\(name)' (\(ResponseFault.allCases.map(\.rawValue).joined(separator: ", ")))") }
        }
        response.literal = bool(members, "literal", at: path()) ?? false
        return (response, endpoints)
    }
}

enum HTTPStatusRules {
    static func allowsBody(_ status: Int) -> Bool { !(status < 200 || status == 204 || status == 304) }
}

extension UInt8 {
    var isLowerAlnum: Bool {
        (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z")) || (self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9"))
    }

    /// tchar (RFC 9110 §5.6.2).
    package var isHeaderNameChar: Bool {
        if isLowerAlnum || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z")) { return true }
        return "!#$%&'*+-.^_`|~".utf8.contains(self)
    }
}
