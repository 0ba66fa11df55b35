#if canImport(Glibc)
import Glibc
#endif
import FaultlineHTTP

/// Reads and validates scenario files. A file with any error is rejected whole, with every
/// problem reported (file, JSON path, message); the other files still load.
public enum ScenarioLoader {
    public static let httpMethods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    /// The largest scenario file read, in bytes (the bundled ones are under 50 KB).
    public static let maxFileSize = 16 * 1024 * 1024

    /// Loads every `*.json` in `directory` except `schema.json`, in name order.
    public static func loadDirectory(_ directory: String) -> (catalog: ScenarioCatalog, diagnostics: [ScenarioDiagnostic]) {
        let files: [String]
        do {
            files = try FileSystem.listFiles(directory, suffix: ".json").filter { $0 != "schema.json" }.sorted()
        } catch {
            return (ScenarioCatalog(vendors: []), [ScenarioDiagnostic(file: directory, path: "$", message: "\(error)")])
        }
        var vendors: [VendorSpec] = []
        var diagnostics: [ScenarioDiagnostic] = []
        if files.isEmpty {
            diagnostics.append(ScenarioDiagnostic(file: directory, path: "$", message: "no scenario files (*.json) in the directory"))
        }
        for file in files {
            let path = directory.hasSuffix("/") ? directory + file : directory + "/" + file
            switch loadFile(path, displayName: file) {
            case .success(let vendor):
                if let existing = vendors.first(where: { $0.name == vendor.name }) {
                    diagnostics.append(ScenarioDiagnostic(file: file, path: "$.vendor", message: "vendor '\(vendor.name)' is already declared in \(existing.file)"))
                } else {
                    vendors.append(vendor)
                }
            case .failure(let errors):
                diagnostics.append(contentsOf: errors.diagnostics)
            }
        }
        return (ScenarioCatalog(vendors: vendors), diagnostics)
    }

    /// Loads each directory in turn; a vendor declared again in a later directory replaces the
    /// earlier one (a team's own `aftership.json` mounted beside the bundled files wins).
    public static func loadDirectories(_ directories: [String]) -> (catalog: ScenarioCatalog, diagnostics: [ScenarioDiagnostic]) {
        guard directories.count != 1 else { return loadDirectory(directories[0]) }
        var merged = ScenarioCatalog(vendors: [])
        var diagnostics: [ScenarioDiagnostic] = []
        for directory in directories {
            let (catalog, problems) = loadDirectory(directory)
            diagnostics.append(contentsOf: problems)
            catalog.vendors.forEach { merged.insertOrReplace($0) }
        }
        return (merged, diagnostics)
    }

    public struct Diagnostics: Error, Sendable {
        public var diagnostics: [ScenarioDiagnostic]
    }

    public static func loadFile(_ path: String, displayName: String? = nil) -> Result<VendorSpec, Diagnostics> {
        let name = displayName ?? path
        do {
            let bytes = try FileSystem.readFile(path, limit: maxFileSize)
            // A symbolic link may lead anywhere (/etc/shadow, /proc/self/environ): when what it
            // leads to is not JSON, say where, never what (reload errors reach the admin API).
            return parse(bytes, file: name, quoting: !FileSystem.isSymbolicLink(path))
        } catch {
            return .failure(Diagnostics(diagnostics: [ScenarioDiagnostic(file: name, path: "$", message: "\(error)")]))
        }
    }

    /// Parses and validates one file's contents.
    public static func parse(_ bytes: [UInt8], file: String) -> Result<VendorSpec, Diagnostics> {
        parse(bytes, file: file, quoting: true)
    }

    /// `quoting`: whether a JSON syntax error may show the text it stopped at.
    static func parse(_ bytes: consuming [UInt8], file: String, quoting: Bool) -> Result<VendorSpec, Diagnostics> {
        var decoder = SpecDecoder(file: file)
        let vendor: VendorSpec?
        // The file's bytes and its JSON tree are let go of as soon as the vendor is decoded,
        // so that they do not add to the memory the validator and the compiler peak at.
        do {
            let json: JSONValue
            do {
                json = try JSONParser.parse(bytes)
            } catch {
                let message = "invalid JSON at line \(error.line), column \(error.column)" + (quoting ? ": \(error.message)" : " (the file is a symbolic link; its text is not shown)")
                return .failure(Diagnostics(diagnostics: [ScenarioDiagnostic(file: file, path: quoting ? error.path : "$", message: message)]))
            }
            _ = consume bytes
            vendor = decoder.decodeVendor(json)
        }
        if let vendor, decoder.diagnostics.isEmpty {
            var validator = SpecValidator(file: file)
            validator.validate(vendor)
            if validator.diagnostics.isEmpty { return .success(vendor) }
            return .failure(Diagnostics(diagnostics: validator.diagnostics))
        }
        return .failure(Diagnostics(diagnostics: decoder.diagnostics))
    }
}

/// Collects problems found in one file.
protocol DiagnosticReporting {
    var file: String { get }
    var diagnostics: [ScenarioDiagnostic] { get set }
}

extension DiagnosticReporting {
    mutating func report(_ path: String, _ message: String) {
        diagnostics.append(ScenarioDiagnostic(file: file, path: path, message: message))
    }
}
