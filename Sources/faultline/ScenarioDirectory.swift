import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// Finds the scenario directory. In order:
/// 1. `--scenarios DIR` (or the `validate` argument);
/// 2. the `FAULTLINE_SCENARIOS` environment variable;
/// 3. `./Scenarios` in the working directory (`swift run` from the checkout);
/// 4. next to the executable: `<bindir>/Scenarios`, then `<bindir>/../share/faultline/Scenarios`;
/// 5. the checkout this binary was built from (`Scenarios/` beside `Sources/`).
enum ScenarioDirectory {
    /// `--scenarios` (repeatable), else `FAULTLINE_SCENARIOS` (directories separated by `:`),
    /// else the first of `./Scenarios`, the binary's `Scenarios/` or `../share/faultline/Scenarios`,
    /// and this checkout's. Directories named explicitly must exist.
    static func locateAll(explicit: [String]) throws -> [String] {
        let named = explicit.isEmpty ? (EnvironmentDefaults.string("FAULTLINE_SCENARIOS").map { $0.split(separator: ":").map(String.init) } ?? []) : explicit
        if !named.isEmpty {
            for directory in named where !isDirectory(directory) {
                throw ValidationError("scenario directory '\(directory)' does not exist\(explicit.isEmpty ? " (from FAULTLINE_SCENARIOS)" : "")")
            }
            return named
        }
        var candidates = ["Scenarios"]
        if let executable = executableDirectory() {
            candidates.append(executable + "/Scenarios")
            candidates.append(executable + "/../share/faultline/Scenarios")
        }
        candidates.append(checkoutScenarios())
        for candidate in candidates where isDirectory(candidate) { return [candidate] }
        throw ValidationError("no scenario directory found (tried: \(candidates.joined(separator: ", "))); pass --scenarios DIR")
    }

    private static func checkoutScenarios(file: String = #filePath) -> String {
        // …/Sources/faultline/ScenarioDirectory.swift → …/Scenarios
        var parts = file.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Scenarios"
    }

    private static func executableDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return String(path[..<slash])
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}

enum Output {
    static func error(_ line: String) {
        var text = Array(line.utf8)
        text.append(0x0A)
        _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
