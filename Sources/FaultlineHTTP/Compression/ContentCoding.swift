internal import CFaultlineZlib
#if canImport(Glibc)
import Glibc
#endif

/// How the server uses content codings (RFC 9110 §8.4): responses compressed when the client
/// asks, request bodies decoded before the responder sees them.
public struct CompressionSettings: Sendable, Equatable {
    /// Compress responses when `Accept-Encoding` allows gzip or deflate.
    public var enabled = true
    /// Bodies smaller than this are sent as they are: compressing them costs more than it saves.
    public var minimumSize = 256
    /// zlib level, 1 (fastest) to 9 (smallest). 1 is nginx's default too: API bodies are
    /// small, and the time a higher level takes costs more than the bytes it saves.
    public var level: Int32 = 1
    /// Largest request body after decoding its `Content-Encoding`, in bytes. Over it: 413, so a
    /// decompression bomb costs at most this much memory.
    public var maxDecodedBodySize = 8 * 1024 * 1024
    /// Compressed bodies each event loop keeps, per coding, to answer the same body again
    /// without compressing it: a test polling a list, or retrying into the same 429, asks for
    /// one body many times, and zlib costs about 125,000 instructions for a 1.7 KB body where
    /// the rest of the answer costs 40,000. The output is byte for byte what zlib would give
    /// (the gzip header carries no time). 0 turns the cache off.
    public var cachedBodies = 8
    /// Bodies larger than this are compressed every time and never kept.
    public var maxCachedBodySize = 64 * 1024

    public init(enabled: Bool = true, minimumSize: Int = 256, level: Int32 = 1, maxDecodedBodySize: Int = 8 * 1024 * 1024,
                cachedBodies: Int = 8, maxCachedBodySize: Int = 64 * 1024) {
        self.enabled = enabled
        self.minimumSize = minimumSize
        self.level = level
        self.maxDecodedBodySize = maxDecodedBodySize
        self.cachedBodies = cachedBodies
        self.maxCachedBodySize = maxCachedBodySize
    }
}

enum ResponseCoding: Equatable {
    case identity, gzip, deflate
    /// Every coding the client accepts has q=0, identity included (RFC 9110 §12.5.3): 406.
    case notAcceptable

    var token: String {
        switch self {
        case .gzip: "gzip"
        case .deflate: "deflate"
        default: "identity"
        }
    }
}

enum AcceptEncoding {
    /// The coding to answer with: the acceptable one with the highest q, gzip before deflate on
    /// a tie, identity unless it (or `*` without it) is given q=0 (RFC 9110 §12.5.3).
    ///
    /// Read in one pass over the header's bytes: splitting it into arrays of slices and
    /// trimming `Substring`s cost about 4,000 instructions for a plain `gzip`.
    static func negotiate(_ header: String) -> ResponseCoding {
        var gzip: Double?
        var deflate: Double?
        var identity: Double?
        var any: Double?
        var header = header
        header.withUTF8 { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: ",") { end += 1 }
                // One element: `coding *( OWS ";" OWS parameter )` (RFC 9110 §12.5.3).
                var nameEnd = start
                while nameEnd < end, bytes[nameEnd] != UInt8(ascii: ";") { nameEnd += 1 }
                let name = UnsafeBufferPointer(rebasing: bytes[bytes.trimmingWhitespace(start..<nameEnd)])
                var q = 1.0
                var parameter = nameEnd
                while parameter < end {
                    var next = parameter + 1
                    while next < end, bytes[next] != UInt8(ascii: ";") { next += 1 }
                    let text = UnsafeBufferPointer(rebasing: bytes[bytes.trimmingWhitespace((parameter + 1)..<next)])
                    if text.count > 2, text[0] | 0x20 == UInt8(ascii: "q"), text[1] == UInt8(ascii: "="),
                       let value = Double(String(decoding: UnsafeBufferPointer(rebasing: text[2...]), as: UTF8.self)) {
                        q = min(1, max(0, value))
                    }
                    parameter = next
                }
                if isCoding(name, "gzip") || isCoding(name, "x-gzip") {
                    gzip = max(gzip ?? 0, q)
                } else if isCoding(name, "deflate") {
                    deflate = max(deflate ?? 0, q)
                } else if isCoding(name, "identity") {
                    identity = q
                } else if name.count == 1, name[0] == UInt8(ascii: "*") {
                    any = q
                }
                start = end + 1
            }
        }
        let g = gzip ?? any ?? 0
        let d = deflate ?? any ?? 0
        if g > 0 || d > 0 { return g >= d ? .gzip : .deflate }
        let identityAllowed = (identity ?? any ?? 1) > 0 || (identity == nil && any == nil)
        return identityAllowed ? .identity : .notAcceptable
    }

    @inline(__always)
    private static func isCoding(_ name: UnsafeBufferPointer<UInt8>, _ coding: StaticString) -> Bool {
        HTTPHeaders.equalsIgnoringCase(bytes: name, UnsafeBufferPointer(start: coding.utf8Start, count: coding.utf8CodeUnitCount))
    }
}

/// A zlib deflate stream kept for one event loop and reset per response, so compressing
/// allocates nothing beyond the output it appends; and the last few bodies it compressed, so
/// the same body again is a lookup.
final class Deflater {
    private var stream = z_stream()
    private var ready = false
    private var scratch = [UInt8](repeating: 0, count: 16 * 1024)
    private var recent: [(input: [UInt8], output: [UInt8])] = []
    /// The entry the next new body replaces once `recent` is full (oldest first).
    private var nextSlot = 0
    private let cachedBodies: Int
    private let maxCachedBodySize: Int
    /// Bodies answered from `recent`.
    private(set) var hits = 0

    init?(format: Zlib.Format, level: Int32, cachedBodies: Int = 0, maxCachedBodySize: Int = 0) {
        self.cachedBodies = max(0, cachedBodies)
        self.maxCachedBodySize = maxCachedBodySize
        // memLevel 4: a 2,048-entry hash table. deflateReset clears it per response, and the
        // default (memLevel 8, 64 KB) cost more to clear than compressing an API body.
        guard CFaultlineZlib_deflateInit2(&stream, level, Z_DEFLATED, format.windowBits, 4, Z_DEFAULT_STRATEGY) == Z_OK else { return nil }
        ready = true
    }

    deinit {
        if ready { deflateEnd(&stream) }
    }

    /// `input` compressed: the kept output when the same bytes were compressed lately, else
    /// zlib's, streamed through the scratch buffer; nil if zlib fails.
    func compress(_ input: [UInt8]) -> [UInt8]? {
        let cacheable = cachedBodies > 0 && input.count <= maxCachedBodySize
        if cacheable, let output = kept(input) {
            hits += 1
            return output
        }
        guard let output = compressed(input) else { return nil }
        if cacheable { keep(input, output) }
        return output
    }

    /// Lengths are compared first; `==` on two arrays sharing storage (a compiled answer's
    /// body) is one pointer compare, and on others a byte compare.
    ///
    /// Bytes are compared with `memcmp`: `==` on two arrays walks them element by element,
    /// about 10,000 instructions for a 1.7 KB list.
    private func kept(_ input: [UInt8]) -> [UInt8]? {
        input.withUnsafeBufferPointer { wanted in
            for index in recent.indices where recent[index].input.count == wanted.count {
                let same = recent[index].input.withUnsafeBufferPointer { kept in
                    wanted.isEmpty || kept.baseAddress == wanted.baseAddress || memcmp(kept.baseAddress!, wanted.baseAddress!, wanted.count) == 0
                }
                if same { return recent[index].output }
            }
            return nil
        }
    }

    private func keep(_ input: [UInt8], _ output: [UInt8]) {
        if recent.count < cachedBodies {
            recent.append((input, output))
        } else {
            recent[nextSlot] = (input, output)
            nextSlot = (nextSlot + 1) % cachedBodies
        }
    }

    private func compressed(_ input: [UInt8]) -> [UInt8]? {
        guard deflateReset(&stream) == Z_OK else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 2 + 64)
        var result: Int32 = Z_OK
        input.withUnsafeBufferPointer { inBuffer in
            stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
            stream.avail_in = uInt(inBuffer.count)
            repeat {
                let produced: Int = scratch.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = uInt(outBuffer.count)
                    result = deflate(&stream, Z_FINISH)
                    return outBuffer.count - Int(stream.avail_out)
                }
                output.append(contentsOf: scratch[0..<produced])
            } while result == Z_OK
            stream.next_in = nil
        }
        return result == Z_STREAM_END ? output : nil
    }
}

package enum RequestDecoding {
    /// Codings undone at most. Each layer may decode to the whole limit, so the work of one
    /// request is bounded by this many times the limit (a chain of 3,000 `gzip` in one header
    /// would otherwise be 3,000 decompressions on an event loop).
    package static let maxCodings = 2

    package enum Failure: Error, Equatable {
        /// A coding the server does not know: 415 (RFC 9110 §15.5.16).
        case unsupported(String)
        /// Decoded past the limit: 413.
        case tooLarge
        /// Not valid data in the coding it claims: 400.
        case corrupt
        /// More than `maxCodings` codings: 415.
        case tooManyCodings
    }

    /// The body with every coding in `Content-Encoding` undone, last applied first.
    package static func decode(_ body: [UInt8], codings header: String, limit: Int) -> Result<[UInt8], Failure> {
        var codings: [String] = []
        for element in header.utf8.split(separator: UInt8(ascii: ",")) {
            let name = String(Substring(element).trimmingWhitespace()).lowercased()
            if name.isEmpty || name == "identity" { continue }
            guard name == "gzip" || name == "x-gzip" || name == "deflate" else { return .failure(.unsupported(name)) }
            codings.append(name)
            if codings.count > maxCodings { return .failure(.tooManyCodings) }
        }
        var data = body
        for coding in codings.reversed() {
            do {
                if coding == "deflate" {
                    // RFC 9110 §8.4.1.2 means the zlib format; some clients send raw deflate.
                    do {
                        data = try Zlib.decompress(data, format: .deflate, limit: limit)
                    } catch let error as Zlib.Error where !error.call.contains("limit") {
                        data = try Zlib.decompress(data, format: .rawDeflate, limit: limit)
                    }
                } else {
                    data = try Zlib.decompress(data, format: .gzip, limit: limit)
                }
            } catch let error as Zlib.Error where error.call.contains("limit") {
                return .failure(.tooLarge)
            } catch {
                return .failure(.corrupt)
            }
        }
        return .success(data)
    }
}
