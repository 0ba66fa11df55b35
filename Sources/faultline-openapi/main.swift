import ArgumentParser
import FaultlineOpenAPI
#if canImport(Glibc)
import Glibc
#endif

/// The OpenAPI import, in its own executable: OpenAPIKit links full Foundation, which the
/// server's binary must not. `faultline import openapi` runs this with the same arguments.
@main
struct ImportOpenAPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faultline import openapi",
        abstract: "Make a scenario file from a vendor's OpenAPI description.",
        discussion: """
        Reads OpenAPI 3.0, 3.1 or 3.2, JSON or YAML, and writes OUT/VENDOR.json: one endpoint per \
        operation, documented examples as responses and named scenarios, validation rules from the \
        schemas, security schemes as the auth trigger, a documented 429 as the rate limit's answer. \
        What cannot be mapped is listed at the end and in the file's description. Nothing is \
        written when the description cannot be read.
        """)

    @Argument(help: ArgumentHelp("The OpenAPI description (.json, .yaml or .yml).", valueName: "spec"))
    var spec: String

    @Option(help: "The vendor's name in the file (and the file's name).")
    var vendor: String

    @Option(help: ArgumentHelp("Directory the file is written to (made when missing).", valueName: "dir"))
    var out: String = "Scenarios"

    @Flag(help: "Replace OUT/VENDOR.json when it exists.")
    var force = false

    func run() throws {
        do {
            let (path, result) = try OpenAPIImport.run(spec: spec, vendor: vendor, out: out, replace: force)
            print("\(path): \(result.endpoints) endpoints, \(result.namedResponses) named responses, \(result.rules) validation rules")
            for choice in result.choices { print("chosen: \(choice)") }
            if !result.notes.isEmpty {
                print("not mapped (also in the file's description):")
                for line in result.notes.lines { print("  \(line)") }
            }
        } catch {
            var standardError = StandardError()
            print("\(error)", to: &standardError)
            throw ExitCode(1)
        }
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var text = string
        text.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
