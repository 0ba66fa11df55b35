import ArgumentParser
import FaultlineHTTP

extension Upstream {
    /// An upstream from a command-line option (`--upstream`, `--against`, `--proxy-unmatched`),
    /// a bad URL reported under the option's name.
    static func option(_ name: String, _ text: String, url: String? = nil, caFile: String?, timeout: Double, bodyLimit: Int = Upstream.defaultBodyLimit) throws -> Upstream {
        var upstream: Upstream
        do {
            upstream = try Upstream(url: url ?? text)
        } catch {
            throw ValidationError("\(name) '\(text)': \(error)")
        }
        upstream.caFile = caFile
        upstream.timeout = timeout
        upstream.bodyLimit = bodyLimit
        return upstream
    }
}
