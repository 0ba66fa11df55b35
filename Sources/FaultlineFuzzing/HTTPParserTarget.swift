import FaultlineHTTP

/// The request parser as a connection drives it: bytes arrive in pieces (of the size the
/// input's first byte picks), unconsumed bytes are kept and passed again, and parsing stops at
/// the first error, as the connection closes there. Each request's body is then decoded by its
/// `Content-Encoding`, as the connection does before the responder sees it.
enum HTTPParserTarget {
    static func run(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let input = Array(bytes.dropFirst())
        var limits = HTTPParserLimits()
        // Small limits, so that the fuzzer reaches every limit's edge with short inputs.
        limits.maxRequestLineLength = 256
        limits.maxHeaderBlockSize = 512
        limits.maxHeaderCount = 8
        limits.maxBodySize = 1_024
        limits.maxChunkLineLength = 32
        var parser = HTTPRequestParser(limits: limits)
        let piece = first >= 128 ? max(1, input.count) : Int(first % 17) + 1
        var buffered: [UInt8] = []
        var offset = 0
        var steps = 0
        reading: while offset < input.count {
            let end = min(input.count, offset + piece)
            buffered.append(contentsOf: input[offset..<end])
            offset = end
            while true {
                steps += 1
                precondition(steps < 100_000, "the parser does not make progress")
                let (event, consumed) = buffered.withUnsafeBufferPointer { parser.parse($0) }
                precondition(consumed >= 0 && consumed <= buffered.count, "consumed \(consumed) of \(buffered.count)")
                buffered.removeFirst(consumed)
                switch event {
                case .needMore:
                    continue reading
                case .continueExpected:
                    continue
                case .request(let request):
                    check(request, limits)
                    if buffered.isEmpty { continue reading }
                case .error(let error):
                    precondition((400...505).contains(error.status), "parse error status \(error.status)")
                    break reading
                }
            }
        }
    }

    private static func check(_ request: HTTPRequest, _ limits: HTTPParserLimits) {
        precondition(!request.method.isEmpty && !request.target.isEmpty, "empty method or target")
        precondition(request.body.count <= limits.maxBodySize, "body of \(request.body.count) bytes over the limit")
        _ = request.path
        _ = request.query
        _ = request.keepAlive
        guard !request.body.isEmpty, let codings = request.headers["Content-Encoding"] else { return }
        switch RequestDecoding.decode(request.body, codings: codings, limit: 64 * 1024) {
        case .success(let body):
            precondition(body.count <= 64 * 1024, "decoded \(body.count) bytes over the limit")
        case .failure(let failure):
            Invariants.check(HTTPResponseWriter.decodingFailure(failure, limit: 64 * 1024), "decoding failure \(failure)")
        }
    }
}
