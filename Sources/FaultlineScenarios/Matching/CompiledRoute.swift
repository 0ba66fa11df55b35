/// One way to reach an endpoint: a base path's segments, then the endpoint's own.
final class CompiledRoute: Sendable {
    let endpoint: Int
    /// The endpoint's id and method, here so that matching a path compiles no endpoint.
    let id: String
    let method: String
    /// The base path's segments and the endpoint's, kept apart: both arrays are shared (with
    /// the vendor's parsed base paths and the endpoint's parsed path), where one joined array
    /// per route cost ten thousand allocations for a vendor of ten thousand endpoints.
    let base: [PathTemplate.Segment]
    let path: [PathTemplate.Segment]
    /// Where the vendor is mounted (`/aftership`, or "" at the root).
    let mount: String
    /// The base path this route was built from, as written in the file.
    let basePath: String
    /// Segments whose parameter may only take listed values (`basePathParameters`); mostly empty.
    let choices: [(index: Int, values: [String])]

    init(endpoint: Int, id: String, method: String, base: [PathTemplate.Segment], path: [PathTemplate.Segment], mount: String, basePath: String, choices: [(index: Int, values: [String])] = []) {
        self.endpoint = endpoint
        self.id = id
        self.method = method
        self.base = base
        self.path = path
        self.mount = mount
        self.basePath = basePath
        self.choices = choices
    }

    var segmentCount: Int { base.count + path.count }

    @inline(__always)
    func segment(_ index: Int) -> PathTemplate.Segment {
        index < base.count ? base[index] : path[index - base.count]
    }

    /// The route as listings show it (`/aftership/v4/trackings/{id}`): made when asked, not
    /// for each of thousands of routes at start-up.
    var display: String {
        mount + (segmentCount == 0 ? "/" : PathTemplate(segments: base + path).shapeWithNames)
    }

    /// Whether every constrained segment of a path that matched holds one of its values; the
    /// route's segments start at `first`.
    @inline(__always)
    func allows(_ segments: PathSegments, from first: Int) -> Bool {
        if choices.isEmpty { return true }
        for (index, values) in choices {
            let segment = segments[first + index]
            guard values.contains(where: { $0.utf8.elementsEqual(segment) }) else { return false }
        }
        return true
    }

    /// The path parameters of a path that matched, as slices of `path` (whose bytes the
    /// segments are).
    func parameters(_ segments: PathSegments, from first: Int, of path: Substring) -> [(name: String, value: Substring)] {
        var parameters: [(name: String, value: Substring)] = []
        for index in 0..<segmentCount {
            guard case .parameter(let name) = segment(index) else { continue }
            if parameters.isEmpty { parameters.reserveCapacity(segmentCount - index) }
            parameters.append((name, path.bytes(segments.range(first + index))))
        }
        return parameters
    }
}
