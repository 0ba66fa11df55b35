#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Synchronization

/// `FAULTLINE_*` environment variables as the defaults of `serve`'s options, so a container is
/// configured with `-e FAULTLINE_PORT=9000` as well as with flags. A flag on the command line
/// wins over its variable. A variable that does not parse is an error at start, not a silent
/// fallback to the built-in default.
enum EnvironmentDefaults {
    private static let problems = Mutex<[String]>([])

    static func string(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let value = String(cString: raw)
        return value.isEmpty ? nil : value
    }

    static func value<T: LosslessStringConvertible>(_ name: String, _ fallback: T) -> T {
        optional(name) ?? fallback
    }

    static func optional<T: LosslessStringConvertible>(_ name: String) -> T? {
        guard let text = string(name) else { return nil }
        guard let parsed = T(text) else {
            problems.withLock { $0.append("\(name)='\(text)' is not a valid \(T.self)") }
            return nil
        }
        return parsed
    }

    /// `1`, `true`, `yes` or `on` (any case) turn a flag on; `0`, `false`, `no`, `off` leave it off.
    static func flag(_ name: String) -> Bool {
        guard let text = string(name)?.lowercased() else { return false }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default:
            problems.withLock { $0.append("\(name)='\(text)' is not a boolean (use 1/0, true/false)") }
            return false
        }
    }

    /// A repeatable option's values, comma-separated (`FAULTLINE_SET=a.b=1,c.d=2`).
    static func list(_ name: String) -> [String] {
        string(name).map { $0.split(separator: ",").map { String($0).trimmingSpaces } } ?? []
    }

    /// The variable of a `serve` option: `FAULTLINE_` and the flag in capitals, `-` as `_`
    /// (`request-timeout` → `FAULTLINE_REQUEST_TIMEOUT`), so no name is typed twice.
    static func variable(_ option: String) -> String {
        "FAULTLINE_" + String(option.uppercased().map { $0 == "-" ? "_" : $0 })
    }

    static func string(option: String) -> String? { string(variable(option)) }

    static func value<T: LosslessStringConvertible>(option: String, _ fallback: T) -> T { value(variable(option), fallback) }

    static func optional<T: LosslessStringConvertible>(option: String) -> T? { optional(variable(option)) }

    static func flag(option: String) -> Bool { flag(variable(option)) }

    static func list(option: String) -> [String] { list(variable(option)) }

    /// Throws the first variable that did not parse.
    static func check() throws {
        if let first = problems.withLock({ $0.first }) { throw ValidationError(first) }
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return String(slice)
    }
}
