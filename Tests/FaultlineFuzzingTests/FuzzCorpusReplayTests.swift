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

    @Test(arguments: FuzzTarget.allCases)
    func everySeedInputRunsClean(target: FuzzTarget) {
        var inputs = FuzzInputs.files(in: Self.fuzzDirectory + "/corpus/" + target.rawValue)
        #expect(!inputs.isEmpty, "no seed corpus for \(target.rawValue)")
        // The bundled vendor files seed the scenario-file target too (scripts/fuzz.sh passes them).
        if target == .scenarioFile { inputs += FuzzInputs.files(in: Self.fuzzDirectory + "/../Scenarios") }
        for path in inputs { target.run(FuzzInputs.read(path) ?? []) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func everyInputThatOnceFailedRunsClean(target: FuzzTarget) {
        for path in FuzzInputs.files(in: Self.fuzzDirectory + "/regressions/" + target.rawValue) { target.run(FuzzInputs.read(path) ?? []) }
    }
}
