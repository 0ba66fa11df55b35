#if canImport(Glibc)
import Glibc
#endif
import FaultlineHTTP

/// A vendor's authentication, compiled from `triggers.auth`: where the key is, which keys are
/// valid, what each key may do, and which catalog entry answers each failure.
struct Authenticator: Sendable {
    enum Failure: String, Sendable {
        case missing = "auth-missing"
        case invalid = "auth-invalid"
        case noPlan = "auth-no-plan"
        case readOnly = "auth-read-only"
        case missingScope = "auth-missing-scope"
        case notAccepted = "auth-not-accepted"
    }

    let spec: AuthSpec
    /// nil: any non-empty key is valid.
    let validKeys: Set<String>?
    let profiles: [String: AuthSpec.KeyProfile]

    init(spec: AuthSpec, environment: (String) -> String? = Authenticator.environment) {
        self.spec = spec
        var keys: Set<String>?
        if let listed = spec.keys { keys = Set(listed) }
        if let variable = spec.keysFromEnvironment, let value = environment(variable) {
            let fromEnvironment = value.split(separator: ",").map { String($0.trimmingWhitespace()) }.filter { !$0.isEmpty }
            keys = (keys ?? []).union(fromEnvironment)
        }
        validKeys = keys
        profiles = Dictionary(spec.profiles.map { ($0.key, $0.profile) }, uniquingKeysWith: { first, _ in first })
    }

    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// The key or token the request carries under `basePath` (any base path when nil): nil
    /// when absent, "" when malformed.
    func credential(in request: HTTPRequest, basePath: String?) -> String? {
        for credential in spec.credentials where basePath == nil || credential.basePaths == nil || credential.basePaths!.contains(basePath!) {
            guard let value = request.headers[credential.header] else { continue }
            guard let scheme = credential.scheme else { return value }
            return Self.token(in: value, scheme: scheme)
        }
        return nil
    }

    /// The token of `<scheme> <token>` (the scheme matched without regard to case, RFC 9110
    /// §11.1), spaces before it skipped; "" when the value has another scheme or no token.
    static func token(in value: String, scheme: String) -> String {
        var value = value
        var scheme = scheme
        return value.withUTF8 { v in
            scheme.withUTF8 { s in
                let space = UInt8(ascii: " ")
                guard v.count > s.count + 1, v[s.count] == space,
                      HTTPHeaders.equalsIgnoringCase(bytes: UnsafeBufferPointer(rebasing: v[..<s.count]), s) else { return "" }
                var start = s.count + 1
                while start < v.count, v[start] == space { start += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: v[start...]), as: UTF8.self)
            }
        }
    }

    /// The failure this request meets, and the catalog entry that answers it; nil when it passes.
    func check(_ credential: String?, request: HTTPRequest, method: String, scope: String?) -> (failure: Failure, response: String)? {
        let key = credential ?? ""
        var result: (Failure, String)?
        if key.isEmpty {
            result = credential == nil ? (.missing, spec.missing) : (.invalid, spec.invalid)
        } else if let validKeys, !validKeys.contains(key) {
            result = (.invalid, spec.invalid)
        }
        if let (failure, _) = result {
            if let rule = spec.unlessAccept, !Self.accepts(request, rule.mediaType) {
                return (.notAccepted, rule.response)
            }
            return (failure, result!.1)
        }
        guard let profile = profiles[key] else { return nil }
        if !profile.plan, let response = spec.noPlan { return (.noPlan, response) }
        if profile.readOnly, method != "GET", let response = spec.readOnly { return (.readOnly, response) }
        if let scope, let scopes = profile.scopes, !scopes.contains(scope), let response = spec.missingScope {
            return (.missingScope, response)
        }
        return nil
    }

    /// Whether the client asks for `mediaType` first, as Laravel's `wantsJson()` decides: the
    /// first media range of `Accept` (by order, q=0 excluded) must be it. No `Accept`, `*/*` or
    /// `text/html` first all count as not asking, and get the browser treatment.
    static func accepts(_ request: HTTPRequest, _ mediaType: String) -> Bool {
        for field in request.headers.values("Accept") {
            for range in field.split(separator: ",") {
                let parts = range.split(separator: ";").map { $0.trimmingWhitespace() }
                guard let media = parts.first, !media.isEmpty else { continue }
                // RFC 9110 §12.4.2: q=0 means "not acceptable".
                let refused = parts.dropFirst().contains { parameter in
                    let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
                    return pair.count == 2 && pair[0].lowercased() == "q" && Double(pair[1]) == 0
                }
                if refused { continue }
                return HTTPHeaders.equalsIgnoringCase(media.utf8, mediaType.utf8)
            }
        }
        return false
    }
}
