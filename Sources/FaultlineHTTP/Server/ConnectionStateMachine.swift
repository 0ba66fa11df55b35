/// The whole life of one connection as a value type: events in, actions out. It holds no
/// socket and reads no clock, so every transition and timeout is tested with plain numbers;
/// `HTTPConnection` does the I/O and carries out what it is told.
///
/// ```
/// handshaking ─▶ idle ⇄ receiving ─▶ writing(then: read) ─▶ idle
///                  │         │    ─▶ writing(then: close) ─▶ lingering ─▶ closed
///                  └─────────┴────▶ holding ─▶ writing / idle
/// ```
struct ConnectionStateMachine: Sendable, Equatable {
    struct Timeouts: Sendable, Equatable {
        /// From the first byte of a request (or of a TLS handshake) until its last byte; a
        /// slower client gets 408.
        var request: UInt64
        /// How long a kept-alive connection may wait for its next request, and how long a
        /// peer may leave our answers unread.
        var idle: UInt64
        /// After our last response on a closing connection, how long we drain the peer's
        /// unread bytes before the final close (so our response is not lost to an RST); also
        /// how long a 408 has to leave.
        var linger: UInt64
    }

    /// What follows once queued output has been written.
    enum AfterWrite: Sendable, Equatable {
        case read
        case close
    }

    enum State: Sendable, Equatable {
        /// A TLS handshake under way since the given time; `wantsWrite` when OpenSSL waits to
        /// write rather than read.
        case handshaking(since: UInt64, wantsWrite: Bool)
        /// Between requests, since the given time.
        case idle(since: UInt64)
        /// Part of a request has arrived, the first part at the given time.
        case receiving(since: UInt64)
        /// Answers are queued beyond what the socket took; nothing is read meanwhile
        /// (back-pressure). They must be out by `deadline`.
        case writing(deadline: UInt64, then: AfterWrite)
        /// A response is held back (a delay, a slow body, a fault): nothing is read or
        /// answered until it is out, so pipelined answers keep their order. `writing` while
        /// earlier output still waits for the socket. Its own clock is bounded by `maxHold`.
        case holding(writing: Bool)
        /// The last response is out and the write side shut; the peer is being drained.
        case lingering(since: UInt64)
        case closed
    }

    /// Readiness the connection waits for in a state (what epoll is told).
    struct Interest: Sendable, Equatable {
        var readable: Bool
        var writable: Bool
    }

    /// What a readable socket means now.
    enum ReadAction: Sendable, Equatable {
        case handshake
        case read
        /// Read and discard (lingering).
        case discard
        case ignore
    }

    /// How a batch of answered requests ended.
    enum BatchEnd: Sendable, Equatable {
        /// The connection stays open for more requests.
        case open
        /// Its last answer closes the connection.
        case close
        /// Its last answer is held back.
        case hold
    }

    /// What to do once every queued byte has been written.
    enum FlushAction: Sendable, Equatable {
        case none
        /// Half-close and linger.
        case linger
        /// Reading resumes: answer requests already buffered, or close if the server drains.
        case readMore
    }

    enum TimerAction: Sendable, Equatable {
        case none
        /// Answer 408 and close (the request took too long to arrive).
        case timeOutRequest
        /// Close silently (idle, handshake or write too slow, linger over).
        case close
    }

    let timeouts: Timeouts
    private(set) var state: State

    init(timeouts: Timeouts, now: UInt64, handshake: Bool = false) {
        self.timeouts = timeouts
        self.state = handshake ? .handshaking(since: now, wantsWrite: false) : .idle(since: now)
    }

    var interest: Interest {
        switch state {
        case .handshaking(_, let wantsWrite): Interest(readable: !wantsWrite, writable: wantsWrite)
        case .idle, .receiving, .lingering: Interest(readable: true, writable: false)
        case .writing: Interest(readable: false, writable: true)
        case .holding(let writing): Interest(readable: false, writable: writing)
        case .closed: Interest(readable: false, writable: false)
        }
    }

    var readAction: ReadAction {
        switch state {
        case .handshaking: .handshake
        case .idle, .receiving: .read
        case .lingering: .discard
        case .writing, .holding, .closed: .ignore
        }
    }

    /// Whether queued output waits for the socket to become writable.
    var awaitsWritable: Bool {
        switch state {
        case .writing, .holding(writing: true): true
        default: false
        }
    }

    /// Whether requests are read and answered now.
    var answersRequests: Bool {
        switch state {
        case .idle, .receiving: true
        default: false
        }
    }

    var isClosed: Bool { state == .closed }

    // MARK: Events

    mutating func handshakeWants(write: Bool) {
        guard case .handshaking(let since, _) = state else { return }
        state = .handshaking(since: since, wantsWrite: write)
    }

    mutating func handshakeFinished(now: UInt64) {
        guard case .handshaking = state else { return }
        state = .idle(since: now)
    }

    /// Requests read from the socket were answered (`completedRequests` of them) and their
    /// answers queued. `requestPending` says whether part of a request is still buffered; a
    /// read that completed a request restarts the request clock (a steady pipelining client
    /// is not slow), a read that only adds to one does not (the slowloris defence).
    mutating func answered(completedRequests: Int, requestPending: Bool, end: BatchEnd, now: UInt64) {
        guard answersRequests else { return }
        switch end {
        case .close:
            state = .writing(deadline: now &+ timeouts.idle, then: .close)
        case .hold:
            state = .holding(writing: false)
        case .open:
            if !requestPending {
                state = .idle(since: now)
            } else if case .receiving = state, completedRequests == 0 {
                return
            } else {
                state = .receiving(since: now)
            }
        }
    }

    /// The socket would not take all the output.
    mutating func outputBlocked(now: UInt64) {
        switch state {
        case .idle, .receiving: state = .writing(deadline: now &+ timeouts.idle, then: .read)
        case .holding: state = .holding(writing: true)
        case .handshaking, .writing, .lingering, .closed: break
        }
    }

    /// Everything queued has been written.
    /// (Both arguments are read only when the state changes: a flush is on every request's path.)
    mutating func outputFlushed(requestPending: @autoclosure () -> Bool, now: @autoclosure () -> UInt64) -> FlushAction {
        switch state {
        case .writing(_, .close):
            state = .lingering(since: now())
            return .linger
        case .writing(_, .read):
            state = requestPending() ? .receiving(since: now()) : .idle(since: now())
            return .readMore
        case .idle, .receiving:
            return .readMore
        case .holding:
            state = .holding(writing: false)
            return .none
        case .handshaking, .lingering, .closed:
            return .none
        }
    }

    /// A held response's last bytes are about to be queued.
    mutating func holdEnded(close: Bool, requestPending: Bool, now: UInt64) {
        guard case .holding(let writing) = state else { return }
        if close {
            state = .writing(deadline: now &+ timeouts.idle, then: .close)
        } else if writing {
            state = .writing(deadline: now &+ timeouts.idle, then: .read)
        } else {
            state = requestPending ? .receiving(since: now) : .idle(since: now)
        }
    }

    /// A 408 is queued in place of the request that was too slow: it has the linger time to
    /// leave, then the connection lingers.
    mutating func requestTimedOut(now: UInt64) {
        state = .writing(deadline: now &+ timeouts.linger, then: .close)
    }

    /// Our side is done (a refusal written in one go): drain the peer, then close.
    mutating func startLingering(now: UInt64) {
        if case .closed = state { return }
        state = .lingering(since: now)
    }

    mutating func markClosed() { state = .closed }

    /// Called from the loop's periodic timer.
    func timerAction(now: UInt64) -> TimerAction {
        switch state {
        case .handshaking(let since, _):
            Self.elapsed(since, now) >= timeouts.request ? .close : .none
        case .idle(let since):
            Self.elapsed(since, now) >= timeouts.idle ? .close : .none
        case .receiving(let since):
            Self.elapsed(since, now) >= timeouts.request ? .timeOutRequest : .none
        case .writing(let deadline, _):
            now >= deadline ? .close : .none
        case .lingering(let since):
            Self.elapsed(since, now) >= timeouts.linger ? .close : .none
        case .holding, .closed:
            .none
        }
    }

    /// Nanoseconds from `since` to `now`; none when `now` was read before `since` was.
    @inline(__always)
    private static func elapsed(_ since: UInt64, _ now: UInt64) -> UInt64 {
        now > since ? now - since : 0
    }

    /// Whether a draining server closes the connection now: only between requests.
    var closesWhenDraining: Bool {
        if case .idle = state { return true }
        return false
    }
}
