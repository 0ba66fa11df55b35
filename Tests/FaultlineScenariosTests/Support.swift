#if canImport(Glibc)
import Glibc
#endif

enum Bundled {
    /// `Scenarios/` of this checkout.
    static var scenarios: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Scenarios"
    }
}

struct POSIXFailure: Error {
    let call: String
}
