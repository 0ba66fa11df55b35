#if canImport(Glibc)
import Glibc
#endif
import FaultlineScenarios

/// Committed fuzz inputs on disk, for the replaying driver and the test suite.
public enum FuzzInputs {
    /// The files of `directory` (hidden ones left out), sorted; none when it does not exist.
    public static func files(in directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            if !name.hasPrefix(".") { names.append(directory + "/" + name) }
        }
        return names.sorted()
    }

    /// The whole file; nil when it cannot be opened.
    public static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while case let n = fread(&chunk, 1, chunk.count, file), n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
        return bytes
    }

    /// A route's path with every `{parameter}` segment given `value`.
    static func concrete(_ path: String, _ value: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix("{") ? value : String($0) }.joined(separator: "/")
    }

    /// Each full path an endpoint is served at, under the vendor's mount: base path parameters
    /// take their first allowed value (an API version), every other parameter `value`.
    static func paths(of endpoint: EndpointSpec, in vendor: VendorSpec, _ value: String) -> [String] {
        (endpoint.basePaths ?? vendor.basePaths).map { base in
            let filled = base.split(separator: "/", omittingEmptySubsequences: false).map { segment in
                guard segment.hasPrefix("{"), segment.hasSuffix("}") else { return String(segment) }
                let name = segment.dropFirst().dropLast()
                return vendor.basePathParameters.first { $0.name == name }?.values.first ?? value
            }.joined(separator: "/")
            return "/" + vendor.name + concrete(filled + endpoint.path, value)
        }
    }
}
