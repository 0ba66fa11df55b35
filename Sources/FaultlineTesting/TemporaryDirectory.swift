#if canImport(Glibc)
import Glibc
#endif

/// A scratch directory for scenario files, removed (with its files) when the value goes away.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init() throws {
        var template = Array("/tmp/faultline-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestHTTPClient.Failure(description: "mkdtemp failed: errno \(errno)") }
        path = String(cString: made)
    }

    public func write(_ name: String, _ bytes: [UInt8]) throws {
        let fd = open(path + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw TestHTTPClient.Failure(description: "open \(name) failed: errno \(errno)") }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw TestHTTPClient.Failure(description: "write \(name) failed") }
    }

    public func write(_ name: String, _ text: String) throws {
        try write(name, Array(text.utf8))
    }

    public func remove(_ name: String) {
        unlink(path + "/" + name)
    }

    /// Copies every `*.json` of `directory` in (the bundled vendors, to edit in a test).
    public func copyFiles(from directory: String) throws {
        guard let dir = opendir(directory) else { throw TestHTTPClient.Failure(description: "opendir \(directory) failed") }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            guard name.hasSuffix(".json"), let bytes = Self.contents(of: directory + "/" + name) else { continue }
            try write(name, bytes)
        }
    }

    /// A file's bytes, or nil when it cannot be opened.
    public static func contents(of path: String) -> [UInt8]? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while case let n = fread(&chunk, 1, chunk.count, file), n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
        return bytes
    }

    /// A file's text; empty when it cannot be opened (not written yet).
    public static func text(of path: String) -> String {
        String(decoding: contents(of: path) ?? [], as: UTF8.self)
    }

    deinit {
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafePointer(to: entry.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(path)
    }
}

