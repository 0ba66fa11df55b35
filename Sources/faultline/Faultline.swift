import ArgumentParser
import FaultlineHTTP
import FaultlineScenarios
#if canImport(Glibc)
import Glibc
#endif
import Dispatch

@main
struct Faultline: ParsableCommand {
    static let version = FaultlineVersion.current

    static let configuration = CommandConfiguration(
        commandName: "faultline",
        abstract: "A mock API server that fails exactly the way real vendors document.",
        discussion: """
        With no subcommand, `faultline` serves the bundled scenarios on http://127.0.0.1:8080.
        Pick a response per request with ?scenario=NAME or the X-Faultline-Scenario header.
        """,
        version: version,
        subcommands: [Serve.self, Validate.self, List.self, Health.self, Verdicts.self, Record.self, Drift.self, Import.self]
    )

    /// `serve` is the default subcommand, put in front of the arguments here rather than
    /// declared as ArgumentParser's `defaultSubcommand`: with one declared, ArgumentParser
    /// reflects over all of `serve`'s options again for every argument it reads, to ask
    /// whether the default takes the rest of the line (2.6M of the 52M instructions from
    /// spawn to first answer, callgrind).
    static func main() {
        let arguments = withDefaultSubcommand(Array(CommandLine.arguments.dropFirst()))
        // `serve`'s options are parsed with `serve` as the root: looking for the subcommand
        // first, ArgumentParser reflected over all of them twice more (3.4M instructions).
        // Whatever that parse does not simply accept as a `Serve` (help, which it answers with
        // a help command; a completion-script request; a bad option) goes the usual way, so
        // every message and usage line is the one `faultline serve` prints.
        if arguments.first == Serve._commandName, let serve = (try? Serve.parseAsRoot(Array(arguments.dropFirst()))) as? Serve {
            do {
                try serve.run()
            } catch {
                exit(withError: error)
            }
            return
        }
        main(arguments)
    }

    /// The arguments with `serve` in front, unless they start with a subcommand's name or a
    /// flag that belongs to `faultline` itself (help, version, completion scripts).
    static func withDefaultSubcommand(_ arguments: [String]) -> [String] {
        guard let first = arguments.first else { return [Serve._commandName] }
        let names = configuration.subcommands.map { $0._commandName } + ["help"]
        if names.contains(first) || ownFlags.contains(first) || first.hasPrefix("--generate-completion-script=") { return arguments }
        return [Serve._commandName] + arguments
    }

    private static let ownFlags: Set<String> = ["-h", "--help", "-help", "--version", "--generate-completion-script", "--experimental-dump-help"]
}

struct ScenarioDirectoryOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory of scenario files; repeat it to serve several, a later vendor replacing an earlier one of the same name (default: $FAULTLINE_SCENARIOS, ':'-separated, else the bundled Scenarios/).", valueName: "dir"))
    var scenarios: [String] = []
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "Check scenario files; print every problem with its file and JSON path.")

    @Argument(help: "Directory to check (default: the bundled Scenarios/).")
    var directory: String?

    func run() throws {
        let locations = try ScenarioDirectory.locateAll(explicit: directory.map { [$0] } ?? [])
        let (catalog, diagnostics) = ScenarioLoader.loadDirectories(locations)
        for vendor in catalog.vendors {
            let scenarios = vendor.errors.count + vendor.endpoints.reduce(0) { $0 + $1.scenarios.count }
            print("\(vendor.file): ok (vendor \(vendor.name), \(vendor.endpoints.count) endpoints, \(scenarios) named responses)")
        }
        for diagnostic in diagnostics { print("\(diagnostic)") }
        if !diagnostics.isEmpty {
            throw ExitCode(1)
        }
    }
}

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List vendors, endpoints and scenario names with their statuses.")

    @OptionGroup var directory: ScenarioDirectoryOption

    @Flag(help: "Print the catalog as JSON.")
    var json = false

    @Option(help: "List only this vendor, as mounted by `serve --vendor`.")
    var vendor: String?

    func run() throws {
        let locations = try ScenarioDirectory.locateAll(explicit: directory.scenarios)
        let (loaded, diagnostics) = ScenarioLoader.loadDirectories(locations)
        for diagnostic in diagnostics { Output.error("invalid scenario file: \(diagnostic)") }
        var catalog = loaded
        if let vendor {
            catalog.vendors = catalog.vendors.filter { $0.name == vendor }
            guard !catalog.vendors.isEmpty else { throw ValidationError("no vendor named '\(vendor)'") }
        }
        if json {
            print(CatalogListing.json(catalog, singleVendor: vendor != nil).serializedString)
        } else {
            print(CatalogListing.text(catalog, singleVendor: vendor != nil))
        }
    }
}
