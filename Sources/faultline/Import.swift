import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// `faultline import openapi`: runs `faultline-openapi`, the import's own executable (OpenAPIKit
/// links full Foundation, which this binary must not), found beside this one or on PATH.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Make a scenario file from another description of a vendor.",
        subcommands: [OpenAPI.self])

    struct OpenAPI: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "openapi",
            abstract: "Make a scenario file from a vendor's OpenAPI description (3.0, 3.1 or 3.2; JSON or YAML).",
            discussion: """
            Writes OUT/VENDOR.json: one endpoint per operation, documented examples as responses and \
            named scenarios, validation rules from the schemas, security schemes as the auth trigger, \
            a documented 429 as the rate limit's answer. What cannot be mapped is listed at the end \
            and in the file's description. Runs the faultline-openapi executable (built with \
            `swift build --product faultline-openapi`).
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
            guard let helper = Self.locateHelper() else {
                throw ValidationError("faultline-openapi not found beside \(Self.ownPath() ?? "faultline") or on PATH; build it with `swift build --product faultline-openapi`")
            }
            let arguments = [helper, "--vendor", vendor, "--out", out] + (force ? ["--force"] : []) + ["--", spec]
            var pointers = arguments.map { strdup($0) } + [nil]
            defer { for pointer in pointers { free(pointer) } }
            execv(helper, &pointers)
            throw ValidationError("cannot run \(helper): \(String(cString: strerror(errno)))")
        }

        static let helperName = "faultline-openapi"

        static func ownPath() -> String? {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
            guard length > 0 else { return nil }
            return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        static func locateHelper() -> String? {
            var directories: [String] = []
            if let own = ownPath(), let slash = own.lastIndex(of: "/") { directories.append(String(own[..<slash])) }
            if let path = getenv("PATH") { directories += String(cString: path).split(separator: ":").map(String.init) }
            for directory in directories where !directory.isEmpty {
                let candidate = directory + "/" + helperName
                if access(candidate, X_OK) == 0 { return candidate }
            }
            return nil
        }
    }
}
