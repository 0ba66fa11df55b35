#if canImport(Glibc)
import Glibc
#endif

/// The little file access the loader needs, on POSIX calls (no full Foundation).
package enum FileSystem {
    package struct Error: Swift.Error, CustomStringConvertible {
        let call: String
        let path: String
        let errno: Int32
        package var description: String { "cannot \(call) \(path): \(String(cString: strerror(errno)))" }
    }

    /// The whole of a regular file of at most `limit` bytes. Anything else is refused with a
    /// reason: a FIFO (opened without blocking, so a named pipe called `a.json` cannot stall a
    /// load or a reload), a device such as a symlink to `/dev/zero` (never read without bound),
    /// a directory, or a file larger than `limit`.
    package static func readFile(_ path: String, limit: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw Error(call: "open", path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Error(call: "stat", path: path, errno: errno) }
        let kind = info.st_mode & S_IFMT
        guard kind == S_IFREG else { throw NotRegular(path: path, kind: Self.describe(kind)) }
        guard info.st_size <= limit else { throw TooLarge(path: path, size: Int(info.st_size), limit: limit) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Error(call: "read", path: path, errno: errno)
            }
            if n == 0 { break }
            // The file may grow while it is read: the limit holds for what is read, too.
            guard bytes.count + n <= limit else { throw TooLarge(path: path, size: bytes.count + n, limit: limit) }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    /// Replaces `path` with `text` whole: written to a temporary file beside it, then renamed,
    /// so a reader (a watching server) never sees half a file.
    package static func writeFile(_ path: String, _ text: String) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Error(call: "create", path: temporary, errno: errno) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let failure = Error(call: "write", path: temporary, errno: errno)
                close(fd)
                unlink(temporary)
                throw failure
            }
            bytes = bytes.dropFirst(written)
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw Error(call: "rename to", path: path, errno: errno) }
    }

    /// Makes `path` a directory if it is not one yet (its parent must exist).
    package static func makeDirectory(_ path: String) throws {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw Error(call: "create directory", path: path, errno: errno) }
    }

    package static func isSymbolicLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    struct NotRegular: Swift.Error, CustomStringConvertible {
        let path: String
        let kind: String
        var description: String { "cannot read \(path): it is \(kind), not a regular file" }
    }

    struct TooLarge: Swift.Error, CustomStringConvertible {
        let path: String
        let size: Int
        let limit: Int
        var description: String { "cannot read \(path): \(size) bytes or more, over the limit of \(limit) bytes" }
    }

    private static func describe(_ kind: mode_t) -> String {
        switch kind {
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFDIR: "a directory"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
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
