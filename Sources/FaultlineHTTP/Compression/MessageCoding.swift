/// The content-coding stage between the connection and the responder (RFC 9110 §8.4, §12.5.3):
/// a request body's `Content-Encoding` undone before the responder sees it, a response body
/// gzipped or deflated as the client accepts after. It knows no socket; each event loop owns
/// one, because its compressors are reused from response to response.
final class MessageCoding {
    private let settings: CompressionSettings
    /// Smallest body worth compressing; `Int.max` when compression is off (one compare per response).
    let threshold: Int
    /// Compressors, made on first use and reset per response. Two fields, not a dictionary:
    /// hashing the coding cost more than the rest of finding a kept body.
    private var gzip: Deflater?
    private var deflate: Deflater?

    init(_ settings: CompressionSettings) {
        self.settings = settings
        self.threshold = settings.enabled ? max(0, settings.minimumSize) : Int.max
    }

    enum DecodedBody {
        /// No `Content-Encoding`: the request goes on as it came (no copy on the common path).
        case unchanged
        case decoded([UInt8])
        /// 415 for an unknown coding, 400 for a corrupt body, 413 past `maxDecodedBodySize`.
        case refused(HTTPResponse)
    }

    /// The request's body with its content codings undone, or the answer that refuses it.
    func decodeBody(of request: HTTPRequest) -> DecodedBody {
        guard !request.body.isEmpty, let codings = request.headers["Content-Encoding"] else { return .unchanged }
        switch RequestDecoding.decode(request.body, codings: codings, limit: settings.maxDecodedBodySize) {
        case .success(let body):
            return .decoded(body)
        case .failure(let failure):
            return .refused(HTTPResponseWriter.decodingFailure(failure, limit: settings.maxDecodedBodySize))
        }
    }

    /// The label of a refused request body in the access log and the metrics.
    static let refusedLabel = "content-encoding"

    /// Compresses a body big enough when the client accepts a coding; a client that accepts
    /// nothing Faultline can send gets 406 instead (its notes say so).
    @inline(__always)
    func encode(_ response: inout HTTPResponse, notes: inout ResponseNotes, for request: HTTPRequest) {
        if response.body.count >= threshold { compress(&response, notes: &notes, for: request) }
    }

    /// Gzip or deflate when the client accepts it (RFC 9110 §12.5.3); `Vary` either way, since
    /// the answer depends on `Accept-Encoding`.
    private func compress(_ response: inout HTTPResponse, notes: inout ResponseNotes, for request: HTTPRequest) {
        guard HTTPResponse.statusAllowsBody(response.status), response.headers["Content-Encoding"] == nil else { return }
        if let vary = response.headers["Vary"] {
            if !vary.lowercased().contains("accept-encoding") { response.headers.replaceOrAdd(name: "Vary", value: vary + ", Accept-Encoding") }
        } else {
            response.headers.add(name: "Vary", value: "Accept-Encoding")
        }
        guard let accept = request.headers["Accept-Encoding"] else { return }
        let coding = AcceptEncoding.negotiate(accept)
        switch coding {
        case .identity:
            return
        case .notAcceptable:
            response = HTTPResponseWriter.plainText(406, "Not Acceptable: Accept-Encoding refuses identity and every coding offered (gzip, deflate)\n")
            notes = ResponseNotes(label: "not-acceptable")
            response.headers.add(name: "Vary", value: "Accept-Encoding")
        case .gzip, .deflate:
            guard let compressed = deflater(coding)?.compress(response.body) else { return }
            response.body = compressed
            response.headers.add(name: "Content-Encoding", value: coding.token)
        }
    }

    private func deflater(_ coding: ResponseCoding) -> Deflater? {
        let isGzip = coding == .gzip
        if let existing = isGzip ? gzip : deflate { return existing }
        guard let made = Deflater(format: isGzip ? .gzip : .deflate, level: settings.level, cachedBodies: settings.cachedBodies,
                                  maxCachedBodySize: settings.maxCachedBodySize) else { return nil }
        if isGzip { gzip = made } else { deflate = made }
        return made
    }
}
