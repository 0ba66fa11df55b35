import FaultlineHTTP

/// How a request finds its endpoint and its response: path segments against route
/// templates, the scenario it names, and media types.
extension ScenarioEngine {
    /// Whether `Content-Type` names `mediaType` (parameters such as charset ignored).
    static func hasMediaType(_ request: HTTPRequest, _ mediaType: String) -> Bool {
        guard let value = request.headers["Content-Type"] else { return false }
        let media = value.utf8.split(separator: UInt8(ascii: ";"), maxSplits: 1, omittingEmptySubsequences: false).first.map { Substring($0).trimmingWhitespace() } ?? ""
        return HTTPHeaders.equalsIgnoringCase(media.utf8, mediaType.utf8)
    }

    enum Selection: Equatable {
        case found(Int)
        case unknown
        case ambiguous([Int])
    }

    /// A name first (case-insensitively); then a bare status that exactly one named response has.
    static func select(_ name: String, in endpoint: CompiledEndpoint) -> Selection {
        if let i = endpoint.names[name] ?? endpoint.names[name.lowercased()] { return .found(i) }
        if name.utf8.count == 3, let status = Int(name), let candidates = endpoint.byStatus[status] {
            return candidates.count == 1 ? .found(candidates[0]) : .ambiguous(candidates)
        }
        return .unknown
    }

    /// The query parameter wins over the header when both are given.
    func scenarioName(in request: HTTPRequest) -> String? {
        if let query = request.query, let value = QueryString.first(options.scenarioParameter, in: query) { return value }
        return request.headers[options.scenarioHeader]
    }

    /// `/a/b` → `a`, `b`, split on bytes; a trailing slash is tolerated.
    static func segments(of path: Substring) -> [Substring] {
        var segments: [Substring] = []
        segments.reserveCapacity(8)
        let utf8 = path.utf8
        var start = utf8.startIndex
        if start != utf8.endIndex, utf8[start] == UInt8(ascii: "/") { start = utf8.index(after: start) }
        var cursor = start
        while cursor != utf8.endIndex {
            if utf8[cursor] == UInt8(ascii: "/") {
                segments.append(path[start..<cursor])
                start = utf8.index(after: cursor)
            }
            cursor = utf8.index(after: cursor)
        }
        if start != utf8.endIndex || segments.isEmpty { segments.append(path[start..<utf8.endIndex]) }
        return segments
    }

    static func match(_ template: [PathTemplate.Segment], _ segments: ArraySlice<Substring>) -> [(name: String, value: Substring)]? {
        guard template.count == segments.count else { return nil }
        var parameters: [(name: String, value: Substring)] = []
        parameters.reserveCapacity(template.count)
        for (part, segment) in zip(template, segments) {
            switch part {
            case .literal(let literal):
                guard segment.utf8.elementsEqual(literal.utf8) else { return nil }
            case .parameter(let name):
                guard !segment.isEmpty else { return nil }
                parameters.append((name, segment))
            }
        }
        return parameters
    }
}
