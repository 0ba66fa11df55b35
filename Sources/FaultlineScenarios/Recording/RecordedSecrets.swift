import FaultlineHTTP

/// What never reaches a recorded file: credentials in headers, and body fields (JSON or
/// form-encoded) and query parameters whose name says they hold one. They are replaced by `redacted`, so the file still shows the field was there.
enum RecordedSecrets {
    static let redacted = "REDACTED"

    /// Request and response fields that carry credentials or sessions, dropped from files.
    static let headerNames: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie"]

    /// A header that names a credential: the list above, or a name with `api-key`, `apikey`,
    /// `token`, `secret` or `password` in it (`X-API-Key`, `aftership-api-key`, `X-Auth-Token`).
    static func isSecretHeader(_ name: String) -> Bool {
        let lowered = name.lowercased()
        if headerNames.contains(lowered) { return true }
        let squeezed = lowered.filter { $0 != "-" && $0 != "_" }
        return ["apikey", "token", "secret", "password", "passwd"].contains { squeezed.contains($0) }
    }

    /// A body field whose name's words include token, secret, password or key
    /// (`access_token`, `clientSecret`, `api-key`, `password`), split at `_`, `-` and camel case.
    static func isSecretField(_ name: String) -> Bool {
        words(name).contains { ["token", "secret", "password", "passwd", "key", "apikey", "authorization", "cookie", "credential", "credentials", "signature"].contains($0) }
    }

    /// A form-encoded body (`a=1&access_token=…`) with every secret field's value replaced;
    /// nil when nothing was.
    static func scrubForm(_ text: String) -> String? {
        var changed = false
        let pairs = text.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let name = pair.prefix { $0 != "=" }
            guard name.count < pair.count, isSecretField(PercentDecoding.decode(name, plusAsSpace: true)) else { return String(pair) }
            changed = true
            return name + "=" + redacted
        }
        return changed ? pairs.joined(separator: "&") : nil
    }

    /// The value with every secret field's string or number replaced, recursively.
    static func scrub(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(members.map { member in
                if isSecretField(member.key) {
                    switch member.value {
                    case .string, .number: return JSONMember(key: member.key, value: .string(redacted))
                    default: break
                    }
                }
                return JSONMember(key: member.key, value: scrub(member.value))
            })
        case .array(let items):
            return .array(items.map(scrub))
        default:
            return value
        }
    }

    private static func words(_ name: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previousLower = false
        for character in name {
            if character == "_" || character == "-" || character == "." || character == " " {
                if !current.isEmpty { words.append(current.lowercased()) }
                current = ""
                previousLower = false
                continue
            }
            if character.isUppercase, previousLower, !current.isEmpty {
                words.append(current.lowercased())
                current = ""
            }
            current.append(character)
            previousLower = character.isLowercase || character.isNumber
        }
        if !current.isEmpty { words.append(current.lowercased()) }
        return words
    }
}
