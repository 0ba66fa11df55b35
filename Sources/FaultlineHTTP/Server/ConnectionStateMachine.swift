/// The lifecycle of one connection as a value type: events in, actions out. It holds no
/// socket and reads no clock, so its timeouts are tested with plain numbers.
struct ConnectionStateMachine: Sendable, Equatable {
    struct Timeouts: Sendable, Equatable {
        /// From the first byte of a request until its last byte; a slower client gets 408.
        var request: UInt64
        /// How long a kept-alive connection may wait for its next request.
        var idle: UInt64
        /// After our last response on a closing connection, how long we drain the peer's
        /// unread bytes before the final close (so our response is not lost to an RST).
        var linger: UInt64
    }

    enum State: Sendable, Equatable {
        /// Between requests, since the given time.
        case idle(since: UInt64)
        /// Part of a request has arrived, the first part at the given time.
        case receiving(since: UInt64)
        /// The response is written; the write side is shut and the peer is being drained.
        case lingering(since: UInt64)
        /// New requests are no longer read (the server is draining).
        case closed
    }

    enum Action: Sendable, Equatable {
        case none
        /// Answer 408 and close (the request took too long to arrive).
        case timeOutRequest
        /// Close silently (idle keep-alive connection, or linger over).
        case close
    }

    let timeouts: Timeouts
    private(set) var state: State

    init(timeouts: Timeouts, now: UInt64) {
        self.timeouts = timeouts
        self.state = .idle(since: now)
    }

    /// Bytes were read. `requestPending` says whether part of a request is still buffered
    /// once every complete request in them has been answered; `completedRequest` whether at
    /// least one was (a steady pipelining client is not slow, and its clock restarts).
    mutating func bytesReceived(requestPending: Bool, completedRequest: Bool = false, now: UInt64) {
        switch state {
        case .idle, .receiving:
            if requestPending {
                if case .receiving = state, !completedRequest { return }
                state = .receiving(since: now)
            } else {
                state = .idle(since: now)
            }
        case .lingering, .closed:
            break
        }
    }

    /// Our side is done writing and the connection is being shut down.
    mutating func startLingering(now: UInt64) {
        if case .closed = state { return }
        state = .lingering(since: now)
    }

    mutating func markClosed() { state = .closed }

    /// Called from the loop's periodic timer.
    func timeoutAction(now: UInt64) -> Action {
        switch state {
        case .idle(let since):
            return now &- since >= timeouts.idle ? .close : .none
        case .receiving(let since):
            return now &- since >= timeouts.request ? .timeOutRequest : .none
        case .lingering(let since):
            return now &- since >= timeouts.linger ? .close : .none
        case .closed:
            return .none
        }
    }

    var isIdle: Bool {
        if case .idle = state { return true }
        return false
    }
}
