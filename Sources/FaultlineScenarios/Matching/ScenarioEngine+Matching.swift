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
        if let i = endpoint.names[name] { return .found(i) }
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
}
