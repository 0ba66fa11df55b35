#if canImport(Glibc)
import Glibc
#endif

/// Held responses: a delay, a slow body, or a fault that breaks the answer on purpose. While one
/// is held nothing more is read from the connection, so pipelined answers keep their order.
extension HTTPConnection {
    /// A response held back, with how it is to be written once its time comes.
    struct Held {
        var response: HTTPResponse
        var delivery: ResponseDelivery
        var headOnly: Bool
        var keepAlive: Bool
        var announce: Bool
        /// A pending answer's request line and start, logged when the answer comes. Boxed: every
        /// answer checks for a held one, and a larger `Held` was copied whole to check (callgrind).
        var logged: PendingLog? = nil
    }

    final class PendingLog: Sendable {
        let method: String
        let target: String
        let start: UInt64?

        init(method: String, target: String, start: UInt64?) {
            self.method = method
            self.target = target
            self.start = start
        }
    }

    /// Waits the delay, then sends the response as asked (or breaks it); the machine is
    /// `holding` meanwhile, so nothing more is read. The whole hold, delay and slow body
    /// together, ends within `maxHold`.
    func hold(_ held: Held) {
        guard !closed else { return }
        updateInterest()
        if let pending = held.delivery.pending {
            waitFor(pending, held)
            return
        }
        let limit = Seconds.clamped(loop.configuration.maxHold)
        if held.delivery.fault == .hang {
            after(limit) { $0.closeNow() }
            return
        }
        let deadline = EventLoop.now() &+ Seconds.nanoseconds(limit)
        after(min(held.delivery.delay, limit)) { $0.deliver(held, deadline: deadline) }
    }

    /// Starts a pending answer's work; its answer is written on this loop's thread when it comes.
    private func waitFor(_ pending: PendingAnswer, _ held: Held) {
        let loop = self.loop
        let waiting = Waiting(connection: self)
        pending.work { response, notes in
            loop.execute { waiting.run { $0.answered(held, with: response, notes: notes) } }
        }
    }

    private func answered(_ held: Held, with response: HTTPResponse, notes: ResponseNotes) {
        var answer = held
        answer.response = response
        answer.delivery = ResponseDelivery()
        if let logged = held.logged, logged.start != nil {
            log(method: logged.method, target: logged.target, response: response, notes: notes, start: logged.start)
        }
        deliver(answer, deadline: EventLoop.now())
    }

    func after(_ seconds: Double, _ action: @escaping (HTTPConnection) -> Void) {
        let deferred = Deferred(connection: self, action: action)
        loop.schedule(after: seconds) { deferred.run() }
    }

    func deliver(_ held: Held, deadline: UInt64) {
        let delivery = held.delivery
        let keepAlive = held.keepAlive
        var bytes: [UInt8] = []
        HTTPResponseWriter.write(held.response, headOnly: held.headOnly, close: !keepAlive || delivery.fault != nil, announceKeepAlive: held.announce, date: loop.date(), into: &bytes)
        let headEnd = HTTPResponseWriter.headLength(bytes)
        switch delivery.fault {
        case .reset:
            Socket.setResetOnClose(fd)
            closeNow()
        case .close, .hang:
            closeNow()
        case .closeMidBody:
            let body = bytes.count - headEnd
            finish(Array(bytes[..<(headEnd + body / 2)]), close: true)
        case .malformedChunked:
            finish(HTTPResponseWriter.malformedChunked(bytes, headLength: headEnd), close: true)
        case .garbage:
            var generator = SystemRandomNumberGenerator()
            // Never a plausible status line: the first byte is not 'H'.
            finish([0x00] + (0..<255).map { _ in UInt8.random(in: 0...255, using: &generator) }, close: true)
        case nil:
            if let dribble = delivery.dribble, dribble.bytes > 0, bytes.count > headEnd {
                send(Array(bytes[..<headEnd]))
                updateInterest()
                trickle(bytes, from: headEnd, dribble.bytes, every: max(0.001, dribble.interval), deadline: deadline, close: !keepAlive)
            } else {
                finish(bytes, close: !keepAlive)
            }
        }
    }

    /// The body a few bytes at a time; the last piece ends the hold. Once the hold's deadline
    /// (`maxHold` from its start) has passed, what is left goes at once.
    func trickle(_ bytes: [UInt8], from offset: Int, _ size: Int, every interval: Double, deadline: UInt64, close: Bool) {
        let now = EventLoop.now()
        guard bytes.count - offset > size, now < deadline else {
            finish(Array(bytes[offset...]), close: close)
            return
        }
        let end = offset + size
        send(Array(bytes[offset..<end]))
        updateInterest()
        after(min(interval, Double(deadline - now) / 1e9)) { $0.trickle(bytes, from: end, size, every: interval, deadline: deadline, close: close) }
    }
}

/// A connection and what to do with it on a later turn of its loop. The connection may be gone
/// (closed) by then.
private struct Deferred {
    weak var connection: HTTPConnection?
    let action: (HTTPConnection) -> Void

    func run() {
        guard let connection, !connection.closed else { return }
        action(connection)
    }
}

/// A connection waiting for a pending answer made on another thread. Only `run`, on the loop's
/// own thread (through `EventLoop.execute`), touches the connection.
private final class Waiting: @unchecked Sendable {
    weak var connection: HTTPConnection?

    init(connection: HTTPConnection) {
        self.connection = connection
    }

    func run(_ action: (HTTPConnection) -> Void) {
        guard let connection, !connection.closed else { return }
        action(connection)
    }
}
