#if canImport(Glibc)
import Glibc
#endif
import FaultlineFuzzing

/// `faultline-fuzz TARGET [libFuzzer options] [corpus directories]` when built for fuzzing
/// (`scripts/fuzz.sh`); otherwise `faultline-fuzz TARGET FILE...` replays inputs through the
/// target, to reproduce a crash under a debugger or with a full backtrace.
@main
struct FuzzMain {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[1]) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            complain("usage: faultline-fuzz TARGET ... (targets: \(names))")
            exit(2)
        }
        #if FAULTLINE_LIBFUZZER
        // The target name is ours; libFuzzer gets the program name and everything after it.
        var argv: [UnsafeMutablePointer<CChar>?] = [CommandLine.unsafeArgv[0]] + (2..<Int(CommandLine.argc)).map { CommandLine.unsafeArgv[$0] } + [nil]
        var argc = CInt(argv.count - 1)
        Current.target = target
        let status = argv.withUnsafeMutableBufferPointer { buffer in
            var base = buffer.baseAddress!
            return LLVMFuzzerRunDriver(&argc, &base) { data, size in
                Current.target.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
                return 0
            }
        }
        exit(status)
        #else
        for path in arguments.dropFirst(2) {
            guard let bytes = FuzzInputs.read(path) else {
                complain("faultline-fuzz: cannot read \(path)")
                exit(1)
            }
            target.run(bytes)
            print("\(path): ok")
        }
        #endif
    }

    static func complain(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}

#if FAULTLINE_LIBFUZZER
/// The target of this run: the C callback can capture nothing.
enum Current {
    nonisolated(unsafe) static var target = FuzzTarget.httpParser
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif
