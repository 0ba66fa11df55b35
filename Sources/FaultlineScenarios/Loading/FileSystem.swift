#if canImport(Glibc)
import Glibc
#endif

/// The little file access the loader needs, on POSIX calls (no full Foundation).
enum FileSystem {
    struct Error: Swift.Error, CustomStringConvertible {
        let call: String
        let path: String
        let errno: Int32
        var description: String { "cannot \(call) \(path): \(String(cString: strerror(errno)))" }
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Error(call: "open", path: path, errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Error(call: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    static func listFiles(_ directory: String, suffix: String) throws -> [String] {
        guard let dir = opendir(directory) else { throw Error(call: "open directory", path: directory, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name.hasSuffix(suffix), !name.hasPrefix(".") { names.append(name) }
        }
        return names
    }
}
