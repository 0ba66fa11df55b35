import FaultlineHTTP
import Synchronization

/// Requests that match no endpoint of their vendor, sent on to the real API instead of the
/// vendor's 404 (`serve --proxy-unmatched`): a user emulates the endpoints under test and lets
/// the rest through. The upstream's answer comes back as it was, less the connection's own
/// fields; one that cannot be had is a 502 with a Faultline error body and a log line.
public struct PassThrough: Sendable {
    /// Upstreams by vendor name.
    public var upstreams: [String: Upstream] = [:]
    /// The upstream of every vendor without its own.
    public var fallback: Upstream?
    /// Where a failed exchange is reported.
    public var log: @Sendable (String) -> Void = { _ in }

    public init() {}

    func upstream(for vendor: String) -> Upstream? {
        upstreams[vendor] ?? fallback
    }

    /// `path?query` with the path starting at `/`.
    static func originForm(path: Substring, query: Substring?) -> String {
        (path.hasPrefix("/") ? String(path) : "/" + path) + (query.map { "?" + $0 } ?? "")
    }

    /// Exchanges in flight at once; past it, a request gets 503 at once rather than a worker
    /// thread to wait in (slow upstreams must not take every thread).
    public static let maxInFlight = 256
    private static let inFlight = Atomic<Int>(0)

    /// Runs `work` on a thread of its own unless `maxInFlight` exchanges already run (or no
    /// thread can be made); false then.
    static func startExchange(_ work: @escaping @Sendable () -> Void) -> Bool {
        guard inFlight.add(1, ordering: .relaxed).newValue <= maxInFlight else {
            inFlight.subtract(1, ordering: .relaxed)
            return false
        }
        let started = DetachedThread.start {
            work()
            inFlight.subtract(1, ordering: .relaxed)
        }
        if !started { inFlight.subtract(1, ordering: .relaxed) }
        return started
    }

    static func busy(_ upstream: Upstream) -> HTTPResponse {
        var response = FaultlineResponses.upstreamFailure(code: "upstream-busy", message: "\(maxInFlight) requests are already waiting for upstreams; try again.", upstream: upstream.description).response
        response.status = 503
        response.headers.add(name: "Retry-After", value: "1")
        return response
    }

    /// A placeholder answer whose work, on a worker thread, forwards the request and calls
    /// `finished` with the answer's status before the connection gets it.
    func forward(_ request: HTTPRequest, target: String, to upstream: Upstream, tag: Int32, finished: @escaping @Sendable (Int) -> Void) -> HTTPResponse {
        let log = self.log
        return PendingAnswer.response { complete in
            let started = Self.startExchange {
                let (response, label) = Self.exchange(request, target: target, with: upstream, log: log)
                finished(response.status)
                complete(response, ResponseNotes(label: label, tag: tag))
            }
            if !started {
                finished(503)
                complete(Self.busy(upstream), ResponseNotes(label: "faultline:upstream-busy", tag: tag))
            }
        }
    }

    /// One blocking exchange with the upstream and what the client gets of it.
    /// `observe` sees the upstream's answer as read, before it becomes the client's.
    static func exchange(_ request: HTTPRequest, target: String, with upstream: Upstream, log: @Sendable (String) -> Void, label: String = "proxied", observe: (HTTPClientResponse) -> Void = { _ in }) -> (HTTPResponse, String) {
        do {
            let answer = try upstream.exchange(method: request.method, target: target, headers: request.headers, body: request.body)
            observe(answer)
            return (response(from: answer, head: request.method == "HEAD"), label)
        } catch let error as HTTPClientConnection.BodyTooLarge {
            log("faultline: upstream \(upstream) answered \(request.method) \(target) with a body over \(error.limit) bytes; answered 502")
            return (failure(code: "upstream-body-too-large", message: "The upstream's answer to \(request.method) \(target) is over the proxy's limit of \(error.limit) bytes.", upstream: upstream), "faultline:upstream-body-too-large")
        } catch {
            log("faultline: upstream \(upstream) failed for \(request.method) \(target): \(error); answered 502")
            return (failure(code: "upstream-failed", message: "The upstream did not answer \(request.method) \(target): \(error).", upstream: upstream), "faultline:upstream-failed")
        }
    }

    /// The upstream's answer as the client gets it: status, fields (less the framing and
    /// connection fields the server writes itself) and body byte for byte.
    public static func response(from answer: HTTPClientResponse, head: Bool = false) -> HTTPResponse {
        HTTPResponse(status: answer.status, headers: Upstream.forwardedFields(of: answer.headers, head: head), body: answer.body)
    }

    static func failure(code: String, message: String, upstream: Upstream) -> HTTPResponse {
        FaultlineResponses.upstreamFailure(code: code, message: message, upstream: upstream.description).response
    }
}
