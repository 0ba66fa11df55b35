/// An answer another thread makes: a proxied request waits for its upstream. The responder
/// returns a placeholder whose `ResponseDelivery.pending` is this; the connection holds (reads
/// nothing more, so pipelined answers keep their order) until `complete` is called, then writes
/// the real answer and logs it. A connection closed meanwhile drops the answer.
///
/// The work must call `complete` exactly once, and within a bounded time (the proxy's own
/// timeout): the hold has no deadline of its own, as an upstream that answers slowly is what
/// the client is meant to see.
public final class PendingAnswer: Sendable {
    public typealias Completion = @Sendable (_ response: HTTPResponse, _ notes: ResponseNotes) -> Void

    let work: @Sendable (_ complete: @escaping Completion) -> Void

    public init(_ work: @escaping @Sendable (_ complete: @escaping Completion) -> Void) {
        self.work = work
    }

    /// A placeholder response carrying `work`: status 0 is never written.
    public static func response(_ work: @escaping @Sendable (_ complete: @escaping Completion) -> Void) -> HTTPResponse {
        HTTPResponse(status: 0, delivery: ResponseDelivery(pending: PendingAnswer(work)))
    }
}
