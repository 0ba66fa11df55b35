internal import CFaultlineZlib

/// gzip, zlib ("deflate" in HTTP) and raw deflate through the system zlib: whole-buffer helpers
/// for request bodies and tests. Responses go through the per-loop `Deflater`.
public enum Zlib {
    public enum Format: Sendable {
        case gzip
        /// The zlib format (RFC 1950), which is what HTTP's `deflate` coding means.
        case deflate
        /// Deflate without the zlib wrapper, as some clients send it.
        case rawDeflate

        var windowBits: Int32 {
            switch self {
            case .gzip: 15 + 16
            case .deflate: 15
            case .rawDeflate: -15
            }
        }
    }

    public struct Error: Swift.Error, CustomStringConvertible, Sendable {
        public let call: String
        public let code: Int32
        public var description: String { "\(call) failed with zlib status \(code)" }
    }

    /// The version string of the linked zlib.
    public static var version: String { String(cString: zlibVersion()) }

    public static func compress(_ input: [UInt8], format: Format = .gzip, level: Int32 = 6) throws -> [UInt8] {
        var stream = z_stream()
        let status = CFaultlineZlib_deflateInit2(&stream, level, Z_DEFLATED, format.windowBits, 8, Z_DEFAULT_STRATEGY)
        guard status == Z_OK else { throw Error(call: "deflateInit2", code: status) }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        let result: Int32 = input.withUnsafeBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard result == Z_STREAM_END else { throw Error(call: "deflate", code: result) }
        output.removeLast(output.count - Int(stream.total_out))
        return output
    }

    /// Inflates `input`, refusing to produce more than `limit` bytes (a decompression bomb).
    public static func decompress(_ input: [UInt8], format: Format = .gzip, limit: Int = 16 * 1024 * 1024) throws -> [UInt8] {
        var stream = z_stream()
        let status = CFaultlineZlib_inflateInit2(&stream, format.windowBits)
        guard status == Z_OK else { throw Error(call: "inflateInit2", code: status) }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        var result: Int32 = Z_OK
        try input.withUnsafeBufferPointer { inBuffer in
            stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
            stream.avail_in = uInt(inBuffer.count)
            repeat {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    result = inflate(&stream, Z_NO_FLUSH)
                    return outBuffer.count - Int(stream.avail_out)
                }
                guard result == Z_OK || result == Z_STREAM_END else { throw Error(call: "inflate", code: result) }
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit { throw Error(call: "inflate (limit \(limit) bytes)", code: Z_BUF_ERROR) }
                if produced == 0 && stream.avail_in == 0 && result != Z_STREAM_END { throw Error(call: "inflate (truncated input)", code: Z_BUF_ERROR) }
            } while result != Z_STREAM_END
        }
        return output
    }
}
