import FaultlineHTTP

/// Decoding of `triggers`: authentication, rate limits, validation rules and how they answer.
extension SpecDecoder {
    mutating func decodeTriggers(_ value: JSONValue, at path: String) -> TriggerSpec {
        var triggers = TriggerSpec()
        guard let members = object(value, at: path, allowed: ["unknownPath", "wrongMethod", "malformedJSON", "contentType", "auth", "rateLimits", "validation"], required: []) else { return triggers }
        if let validation = members.value(of: "validation") {
            triggers.validation = decodeValidation(validation, at: JSONPath.child(path, "validation"))
        }
        triggers.unknownPath = string(members, "unknownPath", at: path)
        triggers.wrongMethod = string(members, "wrongMethod", at: path)
        triggers.malformedJSON = string(members, "malformedJSON", at: path)
        if let rule = members.value(of: "contentType") {
            let rulePath = JSONPath.child(path, "contentType")
            if let fields = object(rule, at: rulePath, allowed: ["mediaType", "methods", "response"], required: ["mediaType", "response"]) {
                triggers.contentType = ContentTypeRule(
                    mediaType: string(fields, "mediaType", at: rulePath) ?? "",
                    methods: strings(fields, "methods", at: rulePath) ?? ["POST", "PUT", "PATCH"],
                    response: string(fields, "response", at: rulePath) ?? "")
            }
        }
        if let auth = members.value(of: "auth") {
            triggers.auth = decodeAuth(auth, at: JSONPath.child(path, "auth"))
        }
        if let limits = members.value(of: "rateLimits") {
            triggers.rateLimits = decodeRateLimits(limits, at: JSONPath.child(path, "rateLimits"))
        }
        return triggers
    }

    mutating func decodeAuth(_ value: JSONValue, at path: String) -> AuthSpec? {
        guard let members = object(value, at: path, allowed: ["credentials", "keys", "keysFromEnvironment", "profiles", "missing", "invalid", "readOnly", "missingScope", "noPlan", "unlessAccept"], required: ["credentials", "missing", "invalid"]) else { return nil }
        var credentials: [AuthSpec.Credential] = []
        if case .array(let items)? = members.value(of: "credentials"), !items.isEmpty {
            for (i, item) in items.enumerated() {
                let itemPath = JSONPath.index(JSONPath.child(path, "credentials"), i)
                guard let fields = object(item, at: itemPath, allowed: ["header", "scheme", "basePaths"], required: ["header"]) else { continue }
                credentials.append(AuthSpec.Credential(header: string(fields, "header", at: itemPath) ?? "", scheme: string(fields, "scheme", at: itemPath), basePaths: strings(fields, "basePaths", at: itemPath)))
            }
        } else {
            report(JSONPath.child(path, "credentials"), "expected a non-empty array of {header, scheme?, basePaths?}")
        }
        var profiles: [(key: String, profile: AuthSpec.KeyProfile)] = []
        if let value = members.value(of: "profiles") {
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
        if let value = members.value(of: "unlessAccept") {
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
        guard let value = members.value(of: key) else { return nil }
        guard case .number(let text) = value, let number = Double(text) else {
            report(JSONPath.child(path, key), "expected a number")
            return nil
        }
        return number
    }

    mutating func count(_ members: [JSONMember], _ key: String, at path: String) -> Int? {
        guard let value = members.value(of: key) else { return nil }
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
        if let value = members.value(of: "enum") {
            if case .array(let items) = value, !items.isEmpty {
                enumValues = items.map { item in item.stringValue ?? item.serializedString }
            } else {
                report(JSONPath.child(path, "enum"), "expected a non-empty array of allowed values")
            }
        }
        let pattern = string(members, "pattern", at: path)
        if let pattern {
            let problem: String?
            if let known = checkedPatterns[pattern] {
                problem = known
            } else {
                do {
                    _ = try LinearRegex(pattern)
                    problem = nil
                } catch {
                    problem = "\(error)"
                }
                checkedPatterns[pattern] = problem
            }
            if let problem { report(JSONPath.child(path, "pattern"), "'\(pattern)' cannot be used: \(problem)") }
        }
        var when: (field: String, values: [String])?
        if let value = members.value(of: "when") {
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
            guard let value = members.value(of: key) else { return [:] }
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
            at: string(members, "at", at: path), collection: collection, item: members.value(of: "item"),
            messages: kindMap("messages"), nameStyle: nameStyle)
    }

    mutating func decodeRateLimits(_ value: JSONValue, at path: String) -> RateLimitSpec? {
        guard let members = object(value, at: path, allowed: ["groups", "exceeded"], required: ["groups", "exceeded"]) else { return nil }
        var groups: [RateLimitSpec.Group] = []
        if case .array(let items)? = members.value(of: "groups"), !items.isEmpty {
            for (i, item) in items.enumerated() {
                let itemPath = JSONPath.index(JSONPath.child(path, "groups"), i)
                guard let fields = object(item, at: itemPath, allowed: ["name", "limit", "window", "endpoints"], required: ["name", "limit", "window"]) else { continue }
                var limit = 0
                if case .number(let text)? = fields.value(of: "limit"), let n = Int(text), n > 0, n <= 1_000_000_000 {
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
}
