#if canImport(Glibc)
import Glibc
#endif
import FaultlineHTTP

/// Reads and validates scenario files. A file with any error is rejected whole, with every
/// problem reported (file, JSON path, message); the other files still load.
public enum ScenarioLoader {
    public static let httpMethods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    /// The largest scenario file read, in bytes (the bundled ones are under 50 KB).
    public static let maxFileSize = 16 * 1024 * 1024

    /// Loads every `*.json` in `directory` except `schema.json`, in name order.
    public static func loadDirectory(_ directory: String) -> (catalog: ScenarioCatalog, diagnostics: [ScenarioDiagnostic]) {
        let files: [String]
        do {
            files = try FileSystem.listFiles(directory, suffix: ".json").filter { $0 != "schema.json" }.sorted()
        } catch {
            return (ScenarioCatalog(vendors: []), [ScenarioDiagnostic(file: directory, path: "$", message: "\(error)")])
        }
        var vendors: [VendorSpec] = []
        var diagnostics: [ScenarioDiagnostic] = []
        if files.isEmpty {
            diagnostics.append(ScenarioDiagnostic(file: directory, path: "$", message: "no scenario files (*.json) in the directory"))
        }
        for file in files {
            let path = directory.hasSuffix("/") ? directory + file : directory + "/" + file
            switch loadFile(path, displayName: file) {
            case .success(let vendor):
                if let existing = vendors.first(where: { $0.name == vendor.name }) {
                    diagnostics.append(ScenarioDiagnostic(file: file, path: "$.vendor", message: "vendor '\(vendor.name)' is already declared in \(existing.file)"))
                } else {
                    vendors.append(vendor)
                }
            case .failure(let errors):
                diagnostics.append(contentsOf: errors.diagnostics)
            }
        }
        return (ScenarioCatalog(vendors: vendors), diagnostics)
    }

    /// Loads each directory in turn; a vendor declared again in a later directory replaces the
    /// earlier one (a team's own `aftership.json` mounted beside the bundled files wins).
    public static func loadDirectories(_ directories: [String]) -> (catalog: ScenarioCatalog, diagnostics: [ScenarioDiagnostic]) {
        guard directories.count != 1 else { return loadDirectory(directories[0]) }
        var merged = ScenarioCatalog(vendors: [])
        var diagnostics: [ScenarioDiagnostic] = []
        for directory in directories {
            let (catalog, problems) = loadDirectory(directory)
            diagnostics.append(contentsOf: problems)
            catalog.vendors.forEach { merged.insertOrReplace($0) }
        }
        return (merged, diagnostics)
    }

    public struct Diagnostics: Error, Sendable {
        public var diagnostics: [ScenarioDiagnostic]
    }

    public static func loadFile(_ path: String, displayName: String? = nil) -> Result<VendorSpec, Diagnostics> {
        let name = displayName ?? path
        do {
            let bytes = try FileSystem.readFile(path, limit: maxFileSize)
            // A symbolic link may lead anywhere (/etc/shadow, /proc/self/environ): when what it
            // leads to is not JSON, say where, never what (reload errors reach the admin API).
            return parse(bytes, file: name, quoting: !FileSystem.isSymbolicLink(path))
        } catch {
            return .failure(Diagnostics(diagnostics: [ScenarioDiagnostic(file: name, path: "$", message: "\(error)")]))
        }
    }

    /// Parses and validates one file's contents.
    public static func parse(_ bytes: [UInt8], file: String) -> Result<VendorSpec, Diagnostics> {
        parse(bytes, file: file, quoting: true)
    }

    /// `quoting`: whether a JSON syntax error may show the text it stopped at.
    static func parse(_ bytes: [UInt8], file: String, quoting: Bool) -> Result<VendorSpec, Diagnostics> {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            let message = "invalid JSON at line \(error.line), column \(error.column)" + (quoting ? ": \(error.message)" : " (the file is a symbolic link; its text is not shown)")
            return .failure(Diagnostics(diagnostics: [ScenarioDiagnostic(file: file, path: quoting ? error.path : "$", message: message)]))
        }
        var decoder = SpecDecoder(file: file)
        let vendor = decoder.decodeVendor(json)
        if let vendor, decoder.diagnostics.isEmpty {
            var validator = SpecValidator(file: file)
            validator.validate(vendor)
            if validator.diagnostics.isEmpty { return .success(vendor) }
            return .failure(Diagnostics(diagnostics: validator.diagnostics))
        }
        return .failure(Diagnostics(diagnostics: decoder.diagnostics))
    }
}

/// Collects problems found in one file.
protocol DiagnosticReporting {
    var file: String { get }
    var diagnostics: [ScenarioDiagnostic] { get set }
}

extension DiagnosticReporting {
    mutating func report(_ path: String, _ message: String) {
        diagnostics.append(ScenarioDiagnostic(file: file, path: path, message: message))
    }
}

/// Turns JSON into the model, rejecting unknown keys and wrong types.
struct SpecDecoder: DiagnosticReporting {
    let file: String
    var diagnostics: [ScenarioDiagnostic] = []

    init(file: String) {
        self.file = file
    }

    /// Checks that `value` is an object with only `allowed` keys and every `required` one.
    mutating func object(_ value: JSONValue, at path: String, allowed: [String], required: [String]) -> [JSONMember]? {
        guard case .object(let members) = value else {
            report(path, "expected an object")
            return nil
        }
        for member in members where !allowed.contains(member.key) {
            report(JSONPath.child(path, member.key), "unknown key '\(member.key)' (allowed: \(allowed.joined(separator: ", ")))")
        }
        for key in required where !members.contains(where: { $0.key == key }) {
            report(path, "missing required key '\(key)'")
        }
        return members
    }

    mutating func string(_ members: [JSONMember], _ key: String, at path: String) -> String? {
        guard let value = members.first(where: { $0.key == key })?.value else { return nil }
        guard case .string(let s) = value else {
            report(JSONPath.child(path, key), "expected a string")
            return nil
        }
        return s
    }

    mutating func decodeVendor(_ json: JSONValue) -> VendorSpec? {
        let path = "$"
        guard let members = object(json, at: path, allowed: ["$schema", "vendor", "title", "description", "basePaths", "headers", "endpoints", "errors", "triggers", "collections", "settings", "sequences", "chaos"], required: ["vendor", "basePaths", "endpoints"]) else { return nil }
        _ = string(members, "$schema", at: path)
        let name = string(members, "vendor", at: path) ?? ""
        let title = string(members, "title", at: path)
        let description = string(members, "description", at: path)

        var basePaths: [String] = []
        if let value = members.first(where: { $0.key == "basePaths" })?.value {
            let basePath = JSONPath.child(path, "basePaths")
            if case .array(let items) = value, !items.isEmpty {
                for (i, item) in items.enumerated() {
                    if case .string(let s) = item { basePaths.append(s) } else { report(JSONPath.index(basePath, i), "expected a string") }
                }
            } else {
                report(basePath, "expected a non-empty array of path strings")
            }
        }
        let headers = decodeHeaders(members.first(where: { $0.key == "headers" })?.value, at: JSONPath.child(path, "headers"))

        var endpoints: [EndpointSpec] = []
        if let value = members.first(where: { $0.key == "endpoints" })?.value {
            let endpointsPath = JSONPath.child(path, "endpoints")
            if case .array(let items) = value, !items.isEmpty {
                for (i, item) in items.enumerated() {
                    if let endpoint = decodeEndpoint(item, at: JSONPath.index(endpointsPath, i)) { endpoints.append(endpoint) }
                }
            } else {
                report(endpointsPath, "expected a non-empty array of endpoints")
            }
        }

        var errors: [NamedResponse] = []
        if let value = members.first(where: { $0.key == "errors" })?.value {
            let errorsPath = JSONPath.child(path, "errors")
            if case .object(let entries) = value {
                for entry in entries {
                    let entryPath = JSONPath.child(errorsPath, entry.key)
                    if let named = decodeNamedResponse(entry.key, entry.value, at: entryPath, allowEndpoints: true) { errors.append(named) }
                }
            } else {
                report(errorsPath, "expected an object of scenario name to response")
            }
        }
        let triggers = members.first(where: { $0.key == "triggers" }).map { decodeTriggers($0.value, at: JSONPath.child(path, "triggers")) } ?? TriggerSpec()
        var vendor = VendorSpec(name: name, title: title, description: description, basePaths: basePaths, headers: headers, endpoints: endpoints, errors: errors, triggers: triggers, file: file)
        if let value = members.first(where: { $0.key == "collections" })?.value { vendor.collections = decodeCollections(value, at: JSONPath.child(path, "collections")) }
        if let value = members.first(where: { $0.key == "settings" })?.value { vendor.settings = decodeSettings(value, at: JSONPath.child(path, "settings")) }
        if let value = members.first(where: { $0.key == "sequences" })?.value { vendor.sequences = decodeSequences(value, at: JSONPath.child(path, "sequences")) }
        if let value = members.first(where: { $0.key == "chaos" })?.value {
            let chaosPath = JSONPath.child(path, "chaos")
            if case .string(let text) = value, let rules = ChaosRule.parse(text), rules.allSatisfy({ $0.vendor == nil }) {
                vendor.chaos = rules.map { ChaosRule(vendor: name, scenario: $0.scenario, probability: $0.probability) }
                if rules.reduce(0, { $0 + $1.probability }) > 1 { report(chaosPath, "the probabilities add up to more than 1") }
            } else {
                report(chaosPath, "expected \"scenario@probability,...\" (e.g. \"429@0.1,reset@0.02\"; no vendor prefix in a vendor's own file)")
            }
        }
        return vendor
    }

    mutating func strings(_ members: [JSONMember], _ key: String, at path: String) -> [String]? {
        guard let value = members.first(where: { $0.key == key })?.value else { return nil }
        guard case .array(let items) = value else {
            report(JSONPath.child(path, key), "expected an array of strings")
            return nil
        }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            if case .string(let s) = item { out.append(s) } else { report(JSONPath.index(JSONPath.child(path, key), i), "expected a string") }
        }
        return out
    }

    mutating func bool(_ members: [JSONMember], _ key: String, at path: String) -> Bool? {
        guard let value = members.first(where: { $0.key == key })?.value else { return nil }
        guard case .bool(let b) = value else {
            report(JSONPath.child(path, key), "expected true or false")
            return nil
        }
        return b
    }

    mutating func positiveNumber(_ members: [JSONMember], _ key: String, at path: String) -> Double? {
        guard let value = members.first(where: { $0.key == key })?.value else { return nil }
        guard case .number(let text) = value, let number = Double(text), number > 0, number <= 31_536_000 else {
            report(JSONPath.child(path, key), "expected a number greater than 0 and at most a year in seconds (31536000)")
            return nil
        }
        return number
    }

    mutating func decodeTriggers(_ value: JSONValue, at path: String) -> TriggerSpec {
        var triggers = TriggerSpec()
        guard let members = object(value, at: path, allowed: ["unknownPath", "wrongMethod", "malformedJSON", "contentType", "auth", "rateLimits", "validation"], required: []) else { return triggers }
        if let validation = members.first(where: { $0.key == "validation" })?.value {
            triggers.validation = decodeValidation(validation, at: JSONPath.child(path, "validation"))
        }
        triggers.unknownPath = string(members, "unknownPath", at: path)
        triggers.wrongMethod = string(members, "wrongMethod", at: path)
        triggers.malformedJSON = string(members, "malformedJSON", at: path)
        if let rule = members.first(where: { $0.key == "contentType" })?.value {
            let rulePath = JSONPath.child(path, "contentType")
            if let fields = object(rule, at: rulePath, allowed: ["mediaType", "methods", "response"], required: ["mediaType", "response"]) {
                triggers.contentType = ContentTypeRule(
                    mediaType: string(fields, "mediaType", at: rulePath) ?? "",
                    methods: strings(fields, "methods", at: rulePath) ?? ["POST", "PUT", "PATCH"],
                    response: string(fields, "response", at: rulePath) ?? "")
            }
        }
        if let auth = members.first(where: { $0.key == "auth" })?.value {
            triggers.auth = decodeAuth(auth, at: JSONPath.child(path, "auth"))
        }
        if let limits = members.first(where: { $0.key == "rateLimits" })?.value {
            triggers.rateLimits = decodeRateLimits(limits, at: JSONPath.child(path, "rateLimits"))
        }
        return triggers
    }

    mutating func decodeAuth(_ value: JSONValue, at path: String) -> AuthSpec? {
        guard let members = object(value, at: path, allowed: ["credentials", "keys", "keysFromEnvironment", "profiles", "missing", "invalid", "readOnly", "missingScope", "noPlan", "unlessAccept"], required: ["credentials", "missing", "invalid"]) else { return nil }
        var credentials: [AuthSpec.Credential] = []
        if case .array(let items)? = members.first(where: { $0.key == "credentials" })?.value, !items.isEmpty {
            for (i, item) in items.enumerated() {
                let itemPath = JSONPath.index(JSONPath.child(path, "credentials"), i)
                guard let fields = object(item, at: itemPath, allowed: ["header", "scheme", "basePaths"], required: ["header"]) else { continue }
                credentials.append(AuthSpec.Credential(header: string(fields, "header", at: itemPath) ?? "", scheme: string(fields, "scheme", at: itemPath), basePaths: strings(fields, "basePaths", at: itemPath)))
            }
        } else {
            report(JSONPath.child(path, "credentials"), "expected a non-empty array of {header, scheme?, basePaths?}")
        }
        var profiles: [(key: String, profile: AuthSpec.KeyProfile)] = []
        if let value = members.first(where: { $0.key == "profiles" })?.value {
            let profilesPath = JSONPath.child(path, "profiles")
            if case .object(let entries) = value {
                for entry in entries {
                    let entryPath = JSONPath.child(profilesPath, entry.key)
                    guard let fields = object(entry.value, at: entryPath, allowed: ["readOnly", "scopes", "plan"], required: []) else { continue }
                    profiles.append((entry.key, AuthSpec.KeyProfile(readOnly: bool(fields, "readOnly", at: entryPath) ?? false, scopes: strings(fields, "scopes", at: entryPath), plan: bool(fields, "plan", at: entryPath) ?? true)))
                }
            } else {
                report(profilesPath, "expected an object of key to {readOnly?, scopes?, plan?}")
            }
        }
        var unlessAccept: (mediaType: String, response: String)?
        if let value = members.first(where: { $0.key == "unlessAccept" })?.value {
            let rulePath = JSONPath.child(path, "unlessAccept")
            if let fields = object(value, at: rulePath, allowed: ["mediaType", "response"], required: ["mediaType", "response"]) {
                unlessAccept = (string(fields, "mediaType", at: rulePath) ?? "", string(fields, "response", at: rulePath) ?? "")
            }
        }
        return AuthSpec(
            credentials: credentials,
            keys: strings(members, "keys", at: path),
            keysFromEnvironment: string(members, "keysFromEnvironment", at: path),
            profiles: profiles,
            missing: string(members, "missing", at: path) ?? "",
            invalid: string(members, "invalid", at: path) ?? "",
            readOnly: string(members, "readOnly", at: path),
            missingScope: string(members, "missingScope", at: path),
            noPlan: string(members, "noPlan", at: path),
            unlessAccept: unlessAccept)
    }

    mutating func number(_ members: [JSONMember], _ key: String, at path: String) -> Double? {
        guard let value = members.first(where: { $0.key == key })?.value else { return nil }
        guard case .number(let text) = value, let number = Double(text) else {
            report(JSONPath.child(path, key), "expected a number")
            return nil
        }
        return number
    }

    mutating func count(_ members: [JSONMember], _ key: String, at path: String) -> Int? {
        guard let value = members.first(where: { $0.key == key })?.value else { return nil }
        guard case .number(let text) = value, let number = Int(text), number >= 0 else {
            report(JSONPath.child(path, key), "expected a whole number, 0 or more")
            return nil
        }
        return number
    }

    mutating func decodeRule(_ value: JSONValue, at path: String) -> ValidationRule? {
        let keys = ["in", "field", "name", "required", "type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "enum", "format", "message", "when", "response"]
        guard let members = object(value, at: path, allowed: keys, required: ["field"]) else { return nil }
        var location = ValidationRule.Location.body
        if let text = string(members, "in", at: path) {
            if let parsed = ValidationRule.Location(rawValue: text) { location = parsed } else { report(JSONPath.child(path, "in"), "expected body, query or path") }
        }
        var type: ValidationRule.ValueType?
        if let text = string(members, "type", at: path) {
            type = ValidationRule.ValueType(rawValue: text)
            if type == nil { report(JSONPath.child(path, "type"), "unknown type '\(text)' (\(ValidationRule.ValueType.allCases.map(\.rawValue).joined(separator: ", ")))") }
        }
        var format: ValidationRule.Format?
        if let text = string(members, "format", at: path) {
            format = ValidationRule.Format(rawValue: text)
            if format == nil { report(JSONPath.child(path, "format"), "unknown format '\(text)' (\(ValidationRule.Format.allCases.map(\.rawValue).joined(separator: ", ")))") }
        }
        var enumValues: [String]?
        if let value = members.first(where: { $0.key == "enum" })?.value {
            if case .array(let items) = value, !items.isEmpty {
                enumValues = items.map { item in item.stringValue ?? item.serializedString }
            } else {
                report(JSONPath.child(path, "enum"), "expected a non-empty array of allowed values")
            }
        }
        let pattern = string(members, "pattern", at: path)
        if let pattern {
            do {
                _ = try LinearRegex(pattern)
            } catch {
                report(JSONPath.child(path, "pattern"), "'\(pattern)' cannot be used: \(error)")
            }
        }
        var when: (field: String, values: [String])?
        if let value = members.first(where: { $0.key == "when" })?.value {
            let whenPath = JSONPath.child(path, "when")
            if let fields = object(value, at: whenPath, allowed: ["field", "in"], required: ["field", "in"]) {
                let values = strings(fields, "in", at: whenPath) ?? []
                if values.isEmpty { report(JSONPath.child(whenPath, "in"), "expected a non-empty array of values") }
                when = (string(fields, "field", at: whenPath) ?? "", values)
            }
        }
        return ValidationRule(
            location: location, field: string(members, "field", at: path) ?? "", name: string(members, "name", at: path),
            required: bool(members, "required", at: path) ?? false, type: type,
            minimum: number(members, "minimum", at: path), maximum: number(members, "maximum", at: path),
            exclusiveMinimum: number(members, "exclusiveMinimum", at: path), exclusiveMaximum: number(members, "exclusiveMaximum", at: path),
            minLength: count(members, "minLength", at: path), maxLength: count(members, "maxLength", at: path),
            pattern: pattern, enumValues: enumValues, format: format, message: string(members, "message", at: path), when: when, response: string(members, "response", at: path))
    }

    mutating func decodeValidation(_ value: JSONValue, at path: String) -> ValidationSpec? {
        guard let members = object(value, at: path, allowed: ["mode", "response", "responses", "at", "collection", "item", "messages", "nameStyle"], required: ["response"]) else { return nil }
        var mode = ValidationSpec.Mode.all
        if let text = string(members, "mode", at: path) {
            if let parsed = ValidationSpec.Mode(rawValue: text) { mode = parsed } else { report(JSONPath.child(path, "mode"), "expected all or first") }
        }
        var collection = ValidationSpec.Collection.list
        if let text = string(members, "collection", at: path) {
            if let parsed = ValidationSpec.Collection(rawValue: text) { collection = parsed } else { report(JSONPath.child(path, "collection"), "expected list or map") }
        }
        var nameStyle = ValidationSpec.NameStyle.path
        if let text = string(members, "nameStyle", at: path) {
            if let parsed = ValidationSpec.NameStyle(rawValue: text) { nameStyle = parsed } else { report(JSONPath.child(path, "nameStyle"), "expected path, key, words or capitalized") }
        }
        func kindMap(_ key: String) -> [String: String] {
            guard let value = members.first(where: { $0.key == key })?.value else { return [:] }
            let mapPath = JSONPath.child(path, key)
            guard case .object(let entries) = value else {
                report(mapPath, "expected an object of rule kind to text")
                return [:]
            }
            var out: [String: String] = [:]
            for entry in entries {
                guard ValidationKind(rawValue: entry.key) != nil else {
                    report(JSONPath.child(mapPath, entry.key), "unknown rule kind '\(entry.key)' (\(ValidationKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                    continue
                }
                if case .string(let text) = entry.value { out[entry.key] = text } else { report(JSONPath.child(mapPath, entry.key), "expected a string") }
            }
            return out
        }
        return ValidationSpec(
            mode: mode, response: string(members, "response", at: path) ?? "", responses: kindMap("responses"),
            at: string(members, "at", at: path), collection: collection, item: members.first(where: { $0.key == "item" })?.value,
            messages: kindMap("messages"), nameStyle: nameStyle)
    }

    mutating func decodeRateLimits(_ value: JSONValue, at path: String) -> RateLimitSpec? {
        guard let members = object(value, at: path, allowed: ["groups", "exceeded"], required: ["groups", "exceeded"]) else { return nil }
        var groups: [RateLimitSpec.Group] = []
        if case .array(let items)? = members.first(where: { $0.key == "groups" })?.value, !items.isEmpty {
            for (i, item) in items.enumerated() {
                let itemPath = JSONPath.index(JSONPath.child(path, "groups"), i)
                guard let fields = object(item, at: itemPath, allowed: ["name", "limit", "window", "endpoints"], required: ["name", "limit", "window"]) else { continue }
                var limit = 0
                if case .number(let text)? = fields.first(where: { $0.key == "limit" })?.value, let n = Int(text), n > 0, n <= 1_000_000_000 {
                    limit = n
                } else {
                    report(JSONPath.child(itemPath, "limit"), "expected a whole number of requests greater than 0")
                }
                groups.append(RateLimitSpec.Group(name: string(fields, "name", at: itemPath) ?? "", limit: limit, window: positiveNumber(fields, "window", at: itemPath) ?? 1, endpoints: strings(fields, "endpoints", at: itemPath)))
            }
        } else {
            report(JSONPath.child(path, "groups"), "expected a non-empty array of {name, limit, window, endpoints?}")
        }
        return RateLimitSpec(groups: groups, exceeded: string(members, "exceeded", at: path) ?? "")
    }

    mutating func decodeHeaders(_ value: JSONValue?, at path: String) -> [HeaderSpec] {
        guard let value else { return [] }
        guard case .object(let members) = value else {
            report(path, "expected an object of header name to value")
            return []
        }
        var headers: [HeaderSpec] = []
        var seen: Set<String> = []
        for member in members {
            let memberPath = JSONPath.child(path, member.key)
            guard case .string(let text) = member.value else {
                report(memberPath, "header values are strings")
                continue
            }
            guard !member.key.isEmpty, member.key.utf8.allSatisfy({ $0.isHeaderNameChar }) else {
                report(memberPath, "'\(member.key)' is not a valid header name")
                continue
            }
            guard seen.insert(member.key.lowercased()).inserted else {
                report(memberPath, "header '\(member.key)' is set twice (names are case-insensitive)")
                continue
            }
            // RFC 9110 §5.5: a field value is visible characters, spaces and tabs.
            if text.utf8.contains(where: HTTPHeaders.isForbiddenInValue) {
                report(memberPath, "header values may not contain control characters (CR, LF, NUL, DEL or others; a tab is allowed)")
                continue
            }
            headers.append(HeaderSpec(name: member.key, value: text))
        }
        return headers
    }

    mutating func decodeEndpoint(_ value: JSONValue, at path: String) -> EndpointSpec? {
        guard let members = object(value, at: path, allowed: ["id", "method", "path", "description", "response", "scenarios", "scope", "validate", "state"], required: ["id", "method", "path", "response"]) else { return nil }
        let id = string(members, "id", at: path) ?? ""
        let method = string(members, "method", at: path) ?? ""
        let endpointPath = string(members, "path", at: path) ?? ""
        let description = string(members, "description", at: path)
        var response: ResponseSpec?
        if let value = members.first(where: { $0.key == "response" })?.value {
            response = decodeResponse(value, at: JSONPath.child(path, "response"), allowEndpoints: false)?.response
        }
        var scenarios: [NamedResponse] = []
        if let value = members.first(where: { $0.key == "scenarios" })?.value {
            let scenariosPath = JSONPath.child(path, "scenarios")
            if case .object(let entries) = value {
                for entry in entries {
                    if let named = decodeNamedResponse(entry.key, entry.value, at: JSONPath.child(scenariosPath, entry.key), allowEndpoints: false) { scenarios.append(named) }
                }
            } else {
                report(scenariosPath, "expected an object of scenario name to response")
            }
        }
        guard let response else { return nil }
        let scope = string(members, "scope", at: path)
        var rules: [ValidationRule] = []
        if let value = members.first(where: { $0.key == "validate" })?.value {
            let rulesPath = JSONPath.child(path, "validate")
            if case .array(let items) = value {
                for (i, item) in items.enumerated() {
                    if let rule = decodeRule(item, at: JSONPath.index(rulesPath, i)) { rules.append(rule) }
                }
            } else {
                report(rulesPath, "expected an array of rules")
            }
        }
        var endpoint = EndpointSpec(id: id, method: method, path: endpointPath, description: description, response: response, scenarios: scenarios, scope: scope, validate: rules)
        if let value = members.first(where: { $0.key == "state" })?.value { endpoint.state = decodeState(value, at: JSONPath.child(path, "state")) }
        return endpoint
    }

    mutating func decodeNamedResponse(_ name: String, _ value: JSONValue, at path: String, allowEndpoints: Bool) -> NamedResponse? {
        guard let decoded = decodeResponse(value, at: path, allowEndpoints: allowEndpoints, allowState: true) else { return nil }
        var named = NamedResponse(name: name, response: decoded.response, endpoints: decoded.endpoints, jsonPath: path)
        if case .object(let members) = value, let state = members.first(where: { $0.key == "state" })?.value {
            named.state = decodeState(state, at: JSONPath.child(path, "state"))
        }
        return named
    }

    mutating func decodeResponse(_ value: JSONValue, at path: String, allowEndpoints: Bool, allowState: Bool = false) -> (response: ResponseSpec, endpoints: [String]?)? {
        var allowed = ["status", "description", "headers", "body", "text", "delay", "fault"]
        if allowEndpoints { allowed.append("endpoints") }
        if allowState { allowed.append("state") }
        guard let members = object(value, at: path, allowed: allowed, required: ["status"]) else { return nil }
        var status = 0
        if let value = members.first(where: { $0.key == "status" })?.value {
            // 1xx are interim responses (RFC 9110 §15.2): a scenario answers with a final one.
            if case .number(let text) = value, let code = Int(text), (200...599).contains(code) {
                status = code
            } else {
                report(JSONPath.child(path, "status"), "expected an integer HTTP status from 200 to 599")
            }
        }
        let description = string(members, "description", at: path)
        let headers = decodeHeaders(members.first(where: { $0.key == "headers" })?.value, at: JSONPath.child(path, "headers"))
        let json = members.first(where: { $0.key == "body" })?.value
        let text = string(members, "text", at: path)
        var body = ResponseSpec.Body.none
        if json != nil && members.contains(where: { $0.key == "text" }) {
            report(path, "'body' and 'text' conflict: a response has one body; keep one of them")
        } else if let json {
            body = .json(json)
        } else if let text {
            body = .text(text)
        }
        var endpoints: [String]?
        if let value = members.first(where: { $0.key == "endpoints" })?.value {
            let endpointsPath = JSONPath.child(path, "endpoints")
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
        if let value = members.first(where: { $0.key == "delay" })?.value {
            let text: String? = switch value {
            case .number(let n): n
            case .string(let s): s
            default: nil
            }
            response.delay = text.flatMap(DelaySpec.init(parsing:))
            if response.delay == nil { report(JSONPath.child(path, "delay"), "expected milliseconds (1500), a range (\"500-1500\") or \"lognormal:MEDIAN_MS:SIGMA\"") }
        }
        if let name = string(members, "fault", at: path) {
            response.fault = ResponseFault(rawValue: name)
            if response.fault == nil { report(JSONPath.child(path, "fault"), "unknown fault '\(name)' (\(ResponseFault.allCases.map(\.rawValue).joined(separator: ", ")))") }
        }
        return (response, endpoints)
    }
}

/// Checks the rules that span several places: names, references, paths, duplicates, templates.
struct SpecValidator: DiagnosticReporting {
    let file: String
    var diagnostics: [ScenarioDiagnostic] = []
    /// The vendor's settings, which `{{setting.NAME}}` must name.
    var settingNames: Set<String> = []

    init(file: String) {
        self.file = file
    }

    /// The most (endpoint, catalog entry) pairs and (endpoint, base path) routes a vendor may
    /// have: each pair is compiled (and checked) on its own, so a file of a few megabytes
    /// with tens of thousands of each must be refused before it costs gigabytes.
    static let maxCombinations = 1_000_000

    mutating func validate(_ vendor: VendorSpec) {
        let everywhere = vendor.errors.filter { $0.endpoints == nil }.count
        let pairs = vendor.endpoints.count * everywhere + vendor.errors.reduce(0) { $0 + ($1.endpoints?.count ?? 0) }
        let routes = vendor.endpoints.count * vendor.basePaths.count
        guard pairs <= Self.maxCombinations, routes <= Self.maxCombinations else {
            report("$.endpoints", "\(vendor.endpoints.count) endpoints with \(vendor.errors.count) catalog entries and \(vendor.basePaths.count) base paths make \(max(pairs, routes)) combinations; at most \(Self.maxCombinations)")
            return
        }
        settingNames = Set(vendor.settings.map(\.name))
        if !Self.isVendorName(vendor.name) {
            report("$.vendor", "'\(vendor.name)' is not a valid vendor name (lowercase letters, digits and '-', starting with a letter or digit)")
        }
        var baseParams: [[String]] = []
        for (i, base) in vendor.basePaths.enumerated() {
            let path = JSONPath.index("$.basePaths", i)
            switch PathTemplate.parse(base, allowEmpty: true) {
            case .success(let template): baseParams.append(template.parameterNames)
            case .failure(let error): report(path, error.message); baseParams.append([])
            }
        }
        if Set(vendor.basePaths).count != vendor.basePaths.count {
            report("$.basePaths", "the same base path is listed twice")
        }
        validateTemplates(vendor.headers, at: "$.headers", pathParameters: nil)

        var ids: [String: Int] = [:]
        var shapes: [String: Int] = [:]
        var endpointParameters: [String: Set<String>] = [:]
        for (i, endpoint) in vendor.endpoints.enumerated() {
            let path = JSONPath.index("$.endpoints", i)
            if !Self.isIdentifier(endpoint.id) {
                report(JSONPath.child(path, "id"), "'\(endpoint.id)' is not a valid endpoint id ([A-Za-z0-9_.-]+)")
            } else if let previous = ids[endpoint.id] {
                report(JSONPath.child(path, "id"), "duplicate endpoint id '\(endpoint.id)' (also $.endpoints[\(previous)])")
            } else {
                ids[endpoint.id] = i
            }
            if !ScenarioLoader.httpMethods.contains(endpoint.method) {
                report(JSONPath.child(path, "method"), "unknown method '\(endpoint.method)' (GET, POST, PUT, PATCH or DELETE)")
            }
            var parameters: [String] = []
            switch PathTemplate.parse(endpoint.path, allowEmpty: false) {
            case .success(let template):
                parameters = template.parameterNames
                endpointParameters[endpoint.id] = Set(parameters)
                let shape = "\(endpoint.method) \(template.shape)"
                if let previous = shapes[shape] {
                    report(JSONPath.child(path, "path"), "duplicate endpoint: \(endpoint.method) \(endpoint.path) has the same method and path shape as $.endpoints[\(previous)]")
                } else {
                    shapes[shape] = i
                }
                for base in baseParams {
                    let all = base + parameters
                    if Set(all).count != all.count {
                        report(JSONPath.child(path, "path"), "a path parameter name is used twice in the full path (base path + path)")
                    }
                }
            case .failure(let error):
                report(JSONPath.child(path, "path"), error.message)
            }
            let known = Set(parameters).union(baseParams.reduce(into: Set<String>()) { $0.formUnion($1) }.filter { name in baseParams.allSatisfy { $0.contains(name) } })
            validateResponse(endpoint.response, at: JSONPath.child(path, "response"), pathParameters: known)
            var localNames: [String: String] = [:]
            for named in endpoint.scenarios {
                validateName(named.name, at: named.jsonPath)
                let key = named.name.lowercased()
                if let other = localNames[key] {
                    report(named.jsonPath, "scenario name '\(named.name)' clashes with '\(other)' (names are case-insensitive)")
                }
                localNames[key] = named.name
                validateResponse(named.response, at: named.jsonPath, pathParameters: known)
            }
        }

        let sharedBaseParameters = baseParams.reduce(into: Set<String>()) { $0.formUnion($1) }.filter { name in baseParams.allSatisfy { $0.contains(name) } }
        var catalogNames: [String: NamedResponse] = [:]
        for named in vendor.errors {
            validateName(named.name, at: named.jsonPath)
            let key = named.name.lowercased()
            if let other = catalogNames[key] {
                report(named.jsonPath, "scenario name '\(named.name)' clashes with '\(other.name)' (names are case-insensitive)")
            }
            catalogNames[key] = named
            if let references = named.endpoints {
                for (i, reference) in references.enumerated() where ids[reference] == nil {
                    report(JSONPath.index(JSONPath.child(named.jsonPath, "endpoints"), i), "unknown endpoint id '\(reference)'")
                }
            }
            // A catalog entry may serve several endpoints, so only the parameters they all share are known.
            var shared: Set<String>?
            let targets = named.endpoints.map { refs in vendor.endpoints.filter { refs.contains($0.id) } } ?? vendor.endpoints
            for endpoint in targets {
                let names = endpointParameters[endpoint.id] ?? []
                shared = shared.map { $0.intersection(names) } ?? names
            }
            validateResponse(named.response, at: named.jsonPath, pathParameters: (shared ?? []).union(sharedBaseParameters))
        }

        validateTriggers(vendor, catalogNames: Set(catalogNames.keys), endpointIDs: Set(ids.keys))
        validateState(vendor)

        // An endpoint scenario may not hide a catalog entry offered on the same endpoint.
        for (i, endpoint) in vendor.endpoints.enumerated() {
            for named in endpoint.scenarios {
                if let entry = catalogNames[named.name.lowercased()], entry.endpoints == nil || entry.endpoints!.contains(endpoint.id) {
                    report(named.jsonPath, "scenario '\(named.name)' on endpoint '\(endpoint.id)' conflicts with the catalog entry $.errors[\"\(entry.name)\"] offered on the same endpoint (\(JSONPath.index("$.endpoints", i)))")
                }
            }
        }
    }

    mutating func validateTriggers(_ vendor: VendorSpec, catalogNames: Set<String>, endpointIDs: Set<String>) {
        let triggers = vendor.triggers
        func reference(_ name: String?, at path: String) {
            guard let name else { return }
            if !catalogNames.contains(name.lowercased()) {
                report(path, "'\(name)' is not in this vendor's error catalog ($.errors)")
            }
        }
        reference(triggers.unknownPath, at: "$.triggers.unknownPath")
        reference(triggers.wrongMethod, at: "$.triggers.wrongMethod")
        reference(triggers.malformedJSON, at: "$.triggers.malformedJSON")
        if let rule = triggers.contentType {
            reference(rule.response, at: "$.triggers.contentType.response")
            for (i, method) in rule.methods.enumerated() where !ScenarioLoader.httpMethods.contains(method) {
                report("$.triggers.contentType.methods[\(i)]", "unknown method '\(method)'")
            }
        }
        if let auth = triggers.auth {
            reference(auth.missing, at: "$.triggers.auth.missing")
            reference(auth.invalid, at: "$.triggers.auth.invalid")
            reference(auth.readOnly, at: "$.triggers.auth.readOnly")
            reference(auth.missingScope, at: "$.triggers.auth.missingScope")
            reference(auth.noPlan, at: "$.triggers.auth.noPlan")
            reference(auth.unlessAccept?.response, at: "$.triggers.auth.unlessAccept.response")
            for (i, credential) in auth.credentials.enumerated() {
                for (j, base) in (credential.basePaths ?? []).enumerated() where !vendor.basePaths.contains(base) {
                    report("$.triggers.auth.credentials[\(i)].basePaths[\(j)]", "'\(base)' is not one of this vendor's basePaths")
                }
                if credential.header.isEmpty || !credential.header.utf8.allSatisfy({ $0.isHeaderNameChar }) {
                    report("$.triggers.auth.credentials[\(i)].header", "'\(credential.header)' is not a valid header name")
                }
            }
        } else {
            for (i, endpoint) in vendor.endpoints.enumerated() where endpoint.scope != nil {
                report("$.endpoints[\(i)].scope", "a scope needs $.triggers.auth to check it")
            }
        }
        if let validation = triggers.validation {
            reference(validation.response, at: "$.triggers.validation.response")
            for (kind, name) in validation.responses.sorted(by: { $0.key < $1.key }) {
                reference(name, at: "$.triggers.validation.responses.\(kind)")
            }
            if validation.mode == .all {
                if let at = validation.at {
                    let entry = vendor.errors.first { $0.name.lowercased() == validation.response.lowercased() }
                    if let entry, case .json(let body) = entry.response.body {
                        if CompiledVendor.replacing(at.split(separator: ".").map(String.init), in: body, with: .null) == nil {
                            report("$.triggers.validation.at", "'\(at)' is not a path in the body of $.errors[\"\(entry.name)\"]")
                        }
                    } else if entry != nil {
                        report("$.triggers.validation.at", "the validation response has no JSON body to put violations in")
                    }
                } else {
                    report("$.triggers.validation", "mode 'all' needs 'at': where in the response body the violations go")
                }
            }
        }
        for (i, endpoint) in vendor.endpoints.enumerated() {
            for (j, rule) in endpoint.validate.enumerated() {
                let path = "$.endpoints[\(i)].validate[\(j)]"
                reference(rule.response, at: path + ".response")
                if triggers.validation == nil && rule.response == nil {
                    report(path, "validation rules need $.triggers.validation (how violations are answered) or a 'response' of their own")
                }
                if rule.location == .path, let template = try? PathTemplate.parse(endpoint.path, allowEmpty: false).get(), !template.parameterNames.contains(rule.field) {
                    report(path + ".field", "the endpoint's path has no parameter '\(rule.field)'")
                }
                if rule.field.isEmpty { report(path + ".field", "a rule needs a field") }
            }
        }
        if let limits = triggers.rateLimits {
            reference(limits.exceeded, at: "$.triggers.rateLimits.exceeded")
            var names: Set<String> = []
            var owner: [String: String] = [:]
            var catchAll: String?
            for (i, group) in limits.groups.enumerated() {
                let path = "$.triggers.rateLimits.groups[\(i)]"
                if !names.insert(group.name).inserted { report(JSONPath.child(path, "name"), "duplicate group name '\(group.name)'") }
                guard let endpoints = group.endpoints else {
                    if let other = catchAll {
                        report(path, "groups '\(other)' and '\(group.name)' both list no endpoints; only one group may cover the rest")
                    }
                    catchAll = group.name
                    continue
                }
                for (j, id) in endpoints.enumerated() {
                    if !endpointIDs.contains(id) {
                        report("\(path).endpoints[\(j)]", "unknown endpoint id '\(id)'")
                    } else if let other = owner[id] {
                        report("\(path).endpoints[\(j)]", "endpoint '\(id)' is already in group '\(other)'")
                    } else {
                        owner[id] = group.name
                    }
                }
            }
        }
    }

    mutating func validateName(_ name: String, at path: String) {
        if name.lowercased() == "default" {
            report(path, "'default' is reserved for the endpoint's own response")
        } else if name.isEmpty || !name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: "&") && $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }) {
            report(path, "'\(name)' is not a valid scenario name (visible ASCII without , & = ? #)")
        }
    }

    mutating func validateResponse(_ response: ResponseSpec, at path: String, pathParameters: Set<String>?) {
        validateTemplates(response.headers, at: JSONPath.child(path, "headers"), pathParameters: pathParameters)
        switch response.body {
        case .none: break
        case .text(let text): validateTemplate(text, at: JSONPath.child(path, "text"), pathParameters: pathParameters)
        case .json(let json): validateJSONTemplates(json, at: JSONPath.child(path, "body"), pathParameters: pathParameters)
        }
        if !HTTPStatusRules.allowsBody(response.status), !isEmptyBody(response.body) {
            report(JSONPath.child(path, "status"), "status \(response.status) cannot carry a body (RFC 9110); remove 'body'/'text' or change the status")
        }
    }

    private func isEmptyBody(_ body: ResponseSpec.Body) -> Bool {
        if case .none = body { return true }
        return false
    }

    mutating func validateTemplates(_ headers: [HeaderSpec], at path: String, pathParameters: Set<String>?) {
        for header in headers {
            validateTemplate(header.value, at: JSONPath.child(path, header.name), pathParameters: pathParameters)
        }
    }

    /// Walks a body; a path string is only built for a string that holds a placeholder.
    mutating func validateJSONTemplates(_ json: JSONValue, at path: String, pathParameters: Set<String>?) {
        var trail: [(key: String?, index: Int)] = []
        func visit(_ value: JSONValue, _ validator: inout SpecValidator) {
            switch value {
            case .string(let s) where TemplateString.mayHoldPlaceholder(s):
                let full = trail.reduce(path) { partial, step in step.key.map { JSONPath.child(partial, $0) } ?? JSONPath.index(partial, step.index) }
                validator.validateTemplate(s, at: full, pathParameters: pathParameters)
            case .array(let items):
                for (i, item) in items.enumerated() {
                    trail.append((nil, i))
                    visit(item, &validator)
                    trail.removeLast()
                }
            case .object(let members):
                for member in members {
                    trail.append((member.key, 0))
                    visit(member.value, &validator)
                    trail.removeLast()
                }
            default:
                break
            }
        }
        visit(json, &self)
    }

    mutating func validateTemplate(_ text: String, at path: String, pathParameters: Set<String>?) {
        guard TemplateString.mayHoldPlaceholder(text) else { return }
        switch TemplateString.parse(text) {
        case .failure(let error):
            report(path, error.message)
        case .success(let parts):
            for case .placeholder(let placeholder) in parts {
                for source in [placeholder.source] + placeholder.alternatives {
                    if case .path(let name) = source, let pathParameters, !pathParameters.contains(name) {
                        let known = pathParameters.sorted().joined(separator: ", ")
                        report(path, "template uses path.\(name), but the path has no parameter '\(name)' (known: \(known.isEmpty ? "none" : known))")
                    }
                    switch source {
                    case .setting(let name), .timeFromSetting(let name, _):
                        if !settingNames.contains(name) {
                            report(path, "template uses setting '\(name)', which $.settings does not declare (declared: \(settingNames.isEmpty ? "none" : settingNames.sorted().joined(separator: ", ")))")
                        }
                    default: break
                    }
                }
            }
        }
    }

    static func isVendorName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first.isLowerAlnum else { return false }
        return name.utf8.allSatisfy { $0.isLowerAlnum || $0 == UInt8(ascii: "-") }
    }

    static func isIdentifier(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.allSatisfy { $0.isLowerAlnum || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
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
    var isHeaderNameChar: Bool {
        if isLowerAlnum || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z")) { return true }
        return "!#$%&'*+-.^_`|~".utf8.contains(self)
    }
}
