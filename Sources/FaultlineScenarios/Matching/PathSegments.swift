/// A request path's segments as byte ranges over the path's own bytes, kept on the stack for
/// the time of one routing: finding an endpoint makes no array and no string.
///
/// Split as the router always has: one leading `/` dropped, a trailing one ignored, an empty
/// path (or `/`) one empty segment, and `//` an empty segment between.
struct PathSegments {
    let bytes: UnsafeBufferPointer<UInt8>
    private let ranges: UnsafeBufferPointer<Range<Int>>

    var count: Int { ranges.count }

    subscript(index: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[ranges[index]])
    }

    func range(_ index: Int) -> Range<Int> { ranges[index] }

    /// Calls `body` with the segments of `path`, valid only during the call. Inlined, so that
    /// `body` is code of its caller: as a closure called through here it captured (retained)
    /// the request and the routing facts, ~25 reference-count operations a request.
    @inline(__always)
    static func with<R>(_ path: Substring, _ body: (PathSegments) -> R) -> R {
        var path = path
        return path.withUTF8 { bytes in
            // Every segment but the last ends at a '/'.
            let capacity = bytes.count { $0 == UInt8(ascii: "/") } + 1
            return withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: capacity) { ranges in
                var start = bytes.first == UInt8(ascii: "/") ? 1 : 0
                var count = 0
                for cursor in start..<max(start, bytes.count) where bytes[cursor] == UInt8(ascii: "/") {
                    ranges.initializeElement(at: count, to: start..<cursor)
                    count += 1
                    start = cursor + 1
                }
                if start != bytes.count || count == 0 {
                    ranges.initializeElement(at: count, to: start..<bytes.count)
                    count += 1
                }
                return body(PathSegments(bytes: bytes, ranges: UnsafeBufferPointer(rebasing: ranges[..<count])))
            }
        }
    }
}
