#if canImport(Glibc)
import Glibc
#endif
import Testing
import FaultlineFuzzing

/// Every committed fuzz input, run through its target as libFuzzer runs it: the seed corpus
/// (`Fuzz/corpus/TARGET/`) and every input that once crashed or stalled Faultline
/// (`Fuzz/regressions/TARGET/`). A trap or a broken invariant fails the whole run.
@Suite struct FuzzCorpusReplayTests {
    static var fuzzDirectory: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Fuzz"
    }

    static func files(_ directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            if !name.hasPrefix(".") { names.append(directory + "/" + name) }
        }
        return names.sorted()
    }

    static func read(_ path: String) -> [UInt8] {
        guard let file = fopen(path, "rb") else { return [] }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while case let n = fread(&chunk, 1, chunk.count, file), n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
        return bytes
    }

    @Test(arguments: FuzzTarget.allCases)
    func everySeedInputRunsClean(target: FuzzTarget) {
        var inputs = Self.files(Self.fuzzDirectory + "/corpus/" + target.rawValue)
        #expect(!inputs.isEmpty, "no seed corpus for \(target.rawValue)")
        // The bundled vendor files seed the scenario-file target too (scripts/fuzz.sh passes them).
        if target == .scenarioFile { inputs += Self.files(Self.fuzzDirectory + "/../Scenarios") }
        for path in inputs { target.run(Self.read(path)) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func everyInputThatOnceFailedRunsClean(target: FuzzTarget) {
        for path in Self.files(Self.fuzzDirectory + "/regressions/" + target.rawValue) { target.run(Self.read(path)) }
    }
}
