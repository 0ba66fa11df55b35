import FaultlineScenarios
import OpenAPIKit
#if canImport(Glibc)
import Glibc
#endif

/// `faultline import openapi`: an OpenAPI description made into a scenario file that passes
/// `faultline validate`. Nothing is written unless the whole file is made and loads.
public enum OpenAPIImport {
    public struct Result {
        /// The scenario file.
        public var file: JSONValue
        public var text: String
        public var endpoints: Int
        public var namedResponses: Int
        public var rules: Int
        public var notes: ImportNotes
        public var choices: [String]
    }

    /// Reads `spec`, writes `out/vendor.json` (refusing to replace one unless `replace`).
    public static func run(spec: String, vendor: String, out: String, replace: Bool) throws(ImportError) -> (path: String, result: Result) {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(spec, limit: DescriptionLoading.maxFileSize)
        } catch {
            throw ImportError(file: spec, pointer: "", message: "\(error)")
        }
        var result: Result
        do {
            result = try convert(bytes, file: spec, vendor: vendor)
        } catch {
            var error = error
            error.file = spec
            throw error
        }
        guard !out.isEmpty else { throw ImportError(file: spec, pointer: "", message: "--out is empty: name a directory") }
        let path = (out.hasSuffix("/") ? out : out + "/") + vendor + ".json"
        if !replace, access(path, F_OK) == 0 || FileSystem.isSymbolicLink(path) {
            throw ImportError(file: spec, pointer: "", message: "\(path) exists; pass --force to replace it")
        }
        do {
            try FileSystem.makeDirectory(out)
            try FileSystem.writeFile(path, result.text)
        } catch {
            throw ImportError(file: spec, pointer: "", message: "\(error)")
        }
        result.text = ""
        return (path, result)
    }

    public static func convert(_ bytes: [UInt8], file: String, vendor: String) throws(ImportError) -> Result {
        guard VendorSpec.isValidName(vendor) else {
            throw ImportError(file: file, pointer: "", message: "vendor name '\(vendor)': lower-case letters, digits and '-', starting with a letter or digit")
        }
        let (document, raw, version) = try DescriptionLoading.load(bytes)
        let context = ImportContext(document: document, raw: raw)
        let (basePaths, parameters) = basePaths(context)
        let drafts = try endpoints(context, basePathParameters: Set(parameters.map(\.name)))
        guard !drafts.isEmpty else {
            throw ImportError(file: file, pointer: "/paths", message: "no operation the scenario file can serve (GET, POST, PUT, PATCH or DELETE on a path of whole segments)")
        }
        if let webhooks = raw.root["webhooks"]?.objectMembers, !webhooks.isEmpty { context.note("webhooks (not mapped)", at: "/webhooks") }

        var assembly = VendorAssembly(context: context, vendor: vendor, drafts: drafts)
        let scenario = assembly.file(title: document.info.title, version: document.info.version, openAPI: version, source: Self.baseName(file), basePaths: basePaths, basePathParameters: parameters)
        let text = scenario.prettyPrinted + "\n"
        if case .failure(let diagnostics) = ScenarioLoader.parse(Array(text.utf8), file: vendor + ".json") {
            throw ImportError(file: file, pointer: "", message: "the scenario file made from it does not load (a bug in import; please report it): " + diagnostics.diagnostics.map { "\($0)" }.joined(separator: "; "))
        }
        return Result(file: scenario, text: text, endpoints: drafts.count, namedResponses: assembly.namedResponses, rules: drafts.reduce(0) { $0 + $1.rules.count }, notes: context.shapes.notes, choices: assembly.choices)
    }

    /// `basePaths` from `servers`: each URL's path, a whole-segment variable kept as a base path
    /// parameter (its `enum`, else its default, the values it takes), any other substituted.
    static func basePaths(_ context: ImportContext) -> ([String], [(name: String, values: [String])]) {
        var paths: [String] = []
        var parameters: [(name: String, values: [String])] = []
        for (index, server) in (context.raw.root["servers"]?.arrayItems ?? []).enumerated() {
            guard let url = server["url"]?.stringValue else { continue }
            var path = url
            if let scheme = url.range(of: "://") {
                let rest = url[scheme.upperBound...]
                path = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? ""
            } else if !path.hasPrefix("/") {
                path = "/" + path
            }
            if let query = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<query]) }
            var segments: [String] = []
            for segment in path.split(separator: "/") {
                var text = String(segment)
                for variable in server["variables"]?.objectMembers ?? [] {
                    let placeholder = "{\(variable.key)}"
                    guard text.contains(placeholder) else { continue }
                    // A base path parameter's values are whole segments.
                    let values = (variable.value["enum"]?.arrayItems?.compactMap(\.stringValue) ?? variable.value["default"]?.stringValue.map { [$0] } ?? [])
                        .filter { !$0.isEmpty && !$0.contains("/") && !$0.contains("{") && !$0.contains("}") }
                    if text == placeholder, !values.isEmpty {
                        if let at = parameters.firstIndex(where: { $0.name == variable.key }) {
                            parameters[at].values += values.filter { !parameters[at].values.contains($0) }
                        } else {
                            parameters.append((variable.key, values))
                        }
                    } else {
                        text = text.replacingOccurrences(of: placeholder, with: variable.value["default"]?.stringValue ?? "")
                    }
                }
                segments.append(text)
            }
            let base = segments.isEmpty ? "" : "/" + segments.joined(separator: "/")
            guard case .success = PathTemplate.parse(base, allowEmpty: true) else {
                context.note("server URLs whose path the scenario file cannot express (left out)", at: "/servers/\(index)/url")
                continue
            }
            if !paths.contains(base) { paths.append(base) }
        }
        return (paths.isEmpty ? [""] : paths, parameters.filter { parameter in paths.contains { $0.contains("{\(parameter.name)}") } })
    }

    /// One draft per operation, in the description's order.
    static func endpoints(_ context: ImportContext, basePathParameters: Set<String>) throws(ImportError) -> [EndpointDraft] {
        var drafts: [EndpointDraft] = []
        var ids: Set<String> = []
        var shapes: Set<String> = []
        var seen: Set<OpenAPIKit.OpenAPI.Path> = []
        // By the keys as written: OpenAPIKit's map merges `/a//b` into `/a/b` and `a` into `/a`.
        for member in context.raw.root["paths"]?.objectMembers ?? [] {
            let key = member.key
            let itemPointer = Pointer.child("/paths", key)
            let openAPIPath = OpenAPIKit.OpenAPI.Path(rawValue: key)
            guard seen.insert(openAPIPath).inserted, let either = context.document.paths[openAPIPath] else {
                context.note("paths OpenAPIKit reads as another path (left out)", at: itemPointer)
                continue
            }
            let (item, resolvedPointer) = try context.resolve(either, at: itemPointer)
            var path = key
            while path.count > 1, path.hasSuffix("/") { path.removeLast() }
            guard case .success(let template) = PathTemplate.parse(path, allowEmpty: false),
                  Set(template.parameterNames).count == template.parameterNames.count,
                  basePathParameters.isDisjoint(with: template.parameterNames) else {
                context.note("paths with a parameter inside a segment, a parameter named twice, or other shapes the scenario file cannot express (left out)", at: itemPointer)
                continue
            }
            let order = context.raw.value(at: resolvedPointer)?.objectMembers?.map { $0.key.uppercased() } ?? []
            let operations = item.endpoints.sorted { (order.firstIndex(of: $0.method.rawValue) ?? .max) < (order.firstIndex(of: $1.method.rawValue) ?? .max) }
            for endpoint in operations {
                let method = endpoint.method.rawValue.uppercased()
                let pointer = Pointer.child(resolvedPointer, method.lowercased())
                guard ImportContext.methods.contains(method) else {
                    context.note("\(method) operations (scenario files serve GET, POST, PUT, PATCH and DELETE; HEAD is answered by GET)", at: pointer)
                    continue
                }
                guard shapes.insert(method + " " + template.shape).inserted else {
                    context.note("operations whose method and path shape repeat another's (left out)", at: pointer)
                    continue
                }
                let id = ImportContext.unique(identifier(endpoint.operation.operationId, method: method, path: path), in: &ids)
                drafts.append(try context.endpoint(id: id, path: path, pathParameters: template.parameterNames, method: method, operation: endpoint.operation, item: item, pointer: pointer, itemPointer: resolvedPointer))
            }
        }
        return drafts
    }

    /// The operationId in the id's characters, else `get-pets-petId`.
    static func identifier(_ operationId: String?, method: String, path: String) -> String {
        func clean(_ text: String) -> String {
            String(text.unicodeScalars.compactMap { scalar -> Character? in
                let c = Character(scalar)
                if c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "." || c == "-") { return c }
                return scalar == "{" || scalar == "}" ? nil : "_"
            })
        }
        if let operationId, !clean(operationId).isEmpty { return clean(operationId) }
        return ([method.lowercased()] + path.split(separator: "/").map { clean(String($0)) }).joined(separator: "-")
    }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
