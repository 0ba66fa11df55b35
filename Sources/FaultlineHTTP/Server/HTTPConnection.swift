#if canImport(Glibc)
import Glibc
#endif

/// One client connection: the socket I/O and the parser. Its life cycle is
/// `ConnectionStateMachine`'s; this class tells the machine what happened and carries out
/// what it answers. Confined to its loop's thread.
final class HTTPConnection {
    let fd: Int32
    /// The loop owns its connections (the cycle ends when it removes one). A strong `let`, not
    /// `unowned(unsafe)`: through a reference the compiler cannot prove alive, every use of the
    /// loop's responder, coder and metrics was a retain and a release (8 a request, callgrind).
    let loop: EventLoop
    // Every property below is touched only on the loop's thread, one event at a time, and
    // no method replaces one while another holds it (the buffer `process` parses is never
    // changed under it): the runtime's exclusivity checks, two calls per access, are off for them.
    @exclusivity(unchecked) private var parser: HTTPRequestParser
    @exclusivity(unchecked) private var machine: ConnectionStateMachine
    /// Bytes of a request that has not fully arrived, or of pipelined requests left for later.
    @exclusivity(unchecked) private var inBuffer: [UInt8] = []
    /// Output the socket would not take yet.
    @exclusivity(unchecked) private var pending: [UInt8] = []
    @exclusivity(unchecked) private var pendingOffset = 0
    /// The readiness epoll was last told (a change of the machine's interest is one syscall).
    @exclusivity(unchecked) private var watched = ConnectionStateMachine.Interest(readable: true, writable: false)
    /// How the server's own refusals of malformed or late requests are logged.
    private static let protocolError = ResponseNotes(label: "protocol-error")
    /// A read's pipelined requests are answered until this much output is queued; the rest
    /// waits in `inBuffer` until the socket has taken it (bounded memory per connection).
    private static let outputHighWater = 256 * 1024
    /// TLS on this connection (the HTTPS listener's).
    private let tls: TLSSession?
    /// The listening socket it was accepted on (`HTTPRequest.listener`).
    private let listener: Int

    /// A held response, from the request that asked for it until the answers before it are queued.
    @exclusivity(unchecked) private var held: Held?

    var closed: Bool { machine.isClosed }
    /// Whether requests are read and answered now (tests wait for a connection to take one).
    var answersRequests: Bool { machine.answersRequests }

    init(fd: Int32, loop: EventLoop, now: UInt64, tls: TLSSession? = nil, listener: Int = 0) {
        self.fd = fd
        self.listener = listener
        self.loop = loop
        self.parser = HTTPRequestParser(limits: loop.configuration.limits)
        self.machine = ConnectionStateMachine(timeouts: loop.configuration.timeouts, now: now, handshake: tls != nil)
        self.tls = tls
    }

    /// Tells epoll what the machine now waits for, when that changed.
    func updateInterest() {
        let wanted = machine.interest
        guard wanted != watched, !machine.isClosed else { return }
        watched = wanted
        loop.watch(fd, readable: wanted.readable, writable: wanted.writable)
    }

    // MARK: Reading

    /// `failed`: epoll reported an error or a hang-up, which it does whatever the interest. While
    /// nothing is read (a held or pending answer, queued output) that would repeat on every
    /// wait, level-triggered, until the hold ended: the peer is gone, so the connection closes.
    func onReadable(failed: Bool = false) {
        if failed, machine.readAction == .ignore {
            closeNow()
            return
        }
        read()
        updateInterest()
    }

    private func read() {
        let buffer = UnsafeMutableRawBufferPointer(loop.readBuffer)
        switch machine.readAction {
        case .ignore:
            return
        case .handshake:
            continueHandshake()
        case .discard:
            // Whatever the peer still sends is dropped until it closes or the linger time ends.
            switch ioRead(buffer) {
            case .bytes, .wouldBlock: return
            case .closed, .failed: closeNow()
            }
        case .read:
            switch ioRead(buffer) {
            case .wouldBlock:
                return
            case .closed, .failed:
                closeNow()
            case .bytes(let count):
                received(count)
                // OpenSSL may hold bytes epoll cannot see: take them now.
                if let tls, tls.hasPending, machine.answersRequests { read() }
            }
        }
    }

    private func ioRead(_ buffer: UnsafeMutableRawBufferPointer) -> Socket.IOResult {
        if let tls, tls.established { return tls.read(into: buffer) }
        return Socket.read(fd, into: buffer)
    }

    private func ioWrite(_ bytes: UnsafeRawBufferPointer) -> Socket.IOResult {
        if let tls, tls.established { return tls.write(bytes) }
        return Socket.write(fd, bytes)
    }

    // MARK: TLS handshake

    private func continueHandshake() {
        guard let tls else { return }
        if !tls.started {
            // A TLS connection opens with a handshake record (content type 22). Anything else
            // is most likely plain HTTP sent to the HTTPS port: say so, as nginx does, and close.
            guard let first = Socket.peekByte(fd) else {
                closeNow()
                return
            }
            if first == nil { return }
            if first != 0x16 {
                refusePlainHTTP()
                return
            }
        }
        switch tls.handshake() {
        case .done:
            machine.handshakeFinished(now: EventLoop.now())
            read()
        case .wantRead:
            machine.handshakeWants(write: false)
        case .wantWrite:
            machine.handshakeWants(write: true)
        case .failed(let error):
            loop.configuration.errorLog?("TLS handshake failed: \(error)")
            closeNow()
        }
    }

    private func refusePlainHTTP() {
        let response = HTTPResponseWriter.plainText(400, "The plain HTTP request was sent to HTTPS port\n")
        var bytes: [UInt8] = []
        HTTPResponseWriter.write(response, headOnly: false, close: true, announceKeepAlive: false, date: loop.date(), into: &bytes)
        _ = bytes.withUnsafeBytes { Socket.write(fd, $0) }
        log(method: "-", target: "-", response: response, notes: ResponseNotes(label: "plain-http-on-tls-port"), start: nil)
        Socket.shutdownWrite(fd)
        machine.startLingering(now: EventLoop.now())
    }

    // MARK: Answering

    /// What one pass over buffered requests did.
    private struct Batch {
        var answered = 0
        var end = ConnectionStateMachine.BatchEnd.open
    }

    private var requestPending: Bool { !inBuffer.isEmpty || !parser.isIdle }

    private func received(_ count: Int) {
        var out = loop.output
        loop.output = []
        out.removeAll(keepingCapacity: true)
        var batch = Batch()

        let fresh = UnsafeBufferPointer(rebasing: UnsafeBufferPointer(loop.readBuffer)[0..<count])
        if inBuffer.isEmpty {
            // The common case: whole requests in one read, parsed straight from the scratch buffer.
            let consumed = process(fresh, into: &out, &batch)
            if consumed < count && batch.end != .close {
                inBuffer.append(contentsOf: UnsafeBufferPointer(rebasing: fresh[consumed...]))
            }
        } else {
            inBuffer.append(contentsOf: fresh)
            let consumed = inBuffer.withUnsafeBufferPointer { process($0, into: &out, &batch) }
            if batch.end == .close { inBuffer = [] } else { inBuffer.removeFirst(consumed) }
        }
        finish(batch, &out)
    }

    /// Answers requests left in `inBuffer` when an earlier batch stopped (at the high-water
    /// mark, or at a held response).
    private func resumeBuffered() {
        guard machine.answersRequests, !inBuffer.isEmpty else { return }
        var out = loop.output
        loop.output = []
        out.removeAll(keepingCapacity: true)
        var batch = Batch()
        let consumed = inBuffer.withUnsafeBufferPointer { process($0, into: &out, &batch) }
        if batch.end == .close { inBuffer = [] } else { inBuffer.removeFirst(consumed) }
        finish(batch, &out)
    }

    /// After answering what arrived: tell the machine, send, and hand the buffer back to the
    /// loop (uniquely owned, so the next batch reuses it without a copy; an outsized one is
    /// dropped). A held response starts its hold once what came before it is queued.
    private func finish(_ batch: Batch, _ out: inout [UInt8]) {
        machine.answered(completedRequests: batch.answered, requestPending: requestPending, end: batch.end, now: EventLoop.now())
        send(out)
        if out.capacity > 4 * Self.outputHighWater { out = [] }
        loop.output = out
        out = []
        if let held {
            self.held = nil
            hold(held)
        }
    }

    /// Answers every complete request in `bytes`, in order, until one closes the connection or
    /// is held back. Returns how many bytes were used.
    private func process(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], _ batch: inout Batch) -> Int {
        var offset = 0
        while batch.end == .open && out.count < Self.outputHighWater {
            let (event, consumed) = parser.parse(UnsafeBufferPointer(rebasing: bytes[offset...]))
            offset += consumed
            switch event {
            case .needMore:
                return offset
            case .continueExpected:
                out.append(contentsOf: HTTPResponseWriter.continueResponse)
            case .request(var request):
                request.listener = listener
                respond(to: request, into: &out, &batch)
                batch.answered += 1
            case .error(let error):
                let response = HTTPResponseWriter.errorResponse(for: error)
                HTTPResponseWriter.write(response, headOnly: false, close: true, announceKeepAlive: false, date: loop.date(), into: &out)
                batch.end = .close
                log(method: "-", target: "-", response: response, notes: Self.protocolError, start: nil)
            }
        }
        return offset
    }

    private func respond(to request: HTTPRequest, into out: inout [UInt8], _ batch: inout Batch) {
        let start: UInt64? = loop.timesResponses ? EventLoop.now() : nil
        var response: HTTPResponse
        var notes = ResponseNotes()
        switch loop.coding.decodeBody(of: request) {
        case .unchanged:
            response = loop.responder.respond(to: request, notes: &notes)
        case .decoded(let body):
            var decoded = request
            decoded.body = body
            response = loop.responder.respond(to: decoded, notes: &notes)
        case .refused(let refusal):
            response = refusal
            notes.label = MessageCoding.refusedLabel
        }
        let keepAlive = request.keepAlive && !loop.draining
        let announce = keepAlive && request.version == .http1_0
        if let delivery = response.delivery, delivery.pending != nil {
            // Logged once the answer has come (`answered`); passed on as it comes, uncompressed.
            batch.end = .hold
            held = Held(response: response, delivery: delivery, headOnly: request.method == "HEAD", keepAlive: keepAlive, announce: announce, logged: PendingLog(method: request.method, target: request.target, start: start))
            return
        }
        loop.coding.encode(&response, notes: &notes, for: request)
        if let delivery = response.delivery {
            batch.end = .hold
            held = Held(response: response, delivery: delivery, headOnly: request.method == "HEAD", keepAlive: keepAlive, announce: announce)
        } else {
            HTTPResponseWriter.write(response, headOnly: request.method == "HEAD", close: !keepAlive, announceKeepAlive: announce, date: loop.date(), into: &out)
            if !keepAlive { batch.end = .close }
        }
        if start != nil { log(method: request.method, target: request.target, response: response, notes: notes, start: start) }
    }

    /// Access log and metrics for one answered request. A held response counts the delay it
    /// asked for, so the latency seen here is the one its client waits (dribble time excluded).
    func log(method: String, target: String, response: HTTPResponse, notes: ResponseNotes, start: UInt64?) {
        var duration = start.map { EventLoop.now() &- $0 } ?? 0
        if let delay = response.delivery?.delay, delay > 0 { duration &+= Seconds.nanoseconds(min(delay, loop.configuration.maxHold)) }
        if loop.configuration.metrics {
            loop.metrics.record(tag: notes.tag, status: response.status, label: notes.label, nanoseconds: duration)
        }
        guard let handler = loop.configuration.accessLog else { return }
        handler(AccessLogRecord(method: method, target: target, status: response.status, label: notes.label, durationNanoseconds: duration))
    }

    // MARK: Writing

    /// Writes what the socket takes and queues the rest.
    func send(_ out: [UInt8]) {
        guard !out.isEmpty, !machine.isClosed else { return }
        if !pending.isEmpty {
            pending.append(contentsOf: out)
            return
        }
        guard let written = out.withUnsafeBytes({ write($0) }) else { return }
        if written == out.count {
            flushed()
        } else {
            pending = Array(out[written...])
            pendingOffset = 0
            machine.outputBlocked(now: EventLoop.now())
        }
    }

    /// Writes as much as the socket takes; nil when the connection failed and was closed.
    private func write(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var offset = 0
        while offset < bytes.count {
            switch ioWrite(UnsafeRawBufferPointer(rebasing: bytes[offset...])) {
            case .bytes(let n): offset += n
            case .wouldBlock: return offset
            case .closed, .failed:
                closeNow()
                return nil
            }
        }
        return offset
    }

    func onWritable() {
        if case .handshaking = machine.state {
            continueHandshake()
        } else if machine.awaitsWritable {
            let written = pending.withUnsafeBytes { write(UnsafeRawBufferPointer(rebasing: $0[pendingOffset...])) }
            guard let written else { return }
            pendingOffset += written
            if pendingOffset == pending.count {
                pending = []
                pendingOffset = 0
                flushed()
            }
        }
        updateInterest()
    }

    /// Everything owed is written: close, or answer what waited, or close if the server drains.
    private func flushed() {
        switch machine.outputFlushed(requestPending: requestPending, now: EventLoop.now()) {
        case .none:
            break
        case .linger:
            // Half-close and drain the peer briefly (a lingering close), so that unread request
            // bytes do not turn our close into an RST that eats the response.
            tls?.shutdown()
            Socket.shutdownWrite(fd)
        case .readMore:
            if !inBuffer.isEmpty {
                resumeBuffered()
            } else if let tls, tls.hasPending, machine.answersRequests {
                // Reading stopped while OpenSSL still held bytes; epoll will not announce them.
                read()
            } else if loop.draining {
                closeIfIdle()
            }
        }
    }

    /// Sends the last bytes of a held response and lets the connection read again.
    func finish(_ bytes: [UInt8], close: Bool) {
        machine.holdEnded(close: close, requestPending: requestPending, now: EventLoop.now())
        send(bytes)
        updateInterest()
    }

    // MARK: Lifecycle

    func checkTimeout(now: UInt64) {
        switch machine.timerAction(now: now) {
        case .none:
            return
        case .close:
            closeNow()
        case .timeOutRequest:
            var out: [UInt8] = []
            let error = HTTPParseError(status: 408, reason: "request not received in time")
            let response = HTTPResponseWriter.errorResponse(for: error)
            HTTPResponseWriter.write(response, headOnly: false, close: true, announceKeepAlive: false, date: loop.date(), into: &out)
            inBuffer = []
            log(method: "-", target: "-", response: response, notes: Self.protocolError, start: nil)
            machine.requestTimedOut(now: now)
            send(out)
            updateInterest()
        }
    }

    /// Used when the server drains: a connection between requests closes at once.
    func closeIfIdle() {
        if machine.closesWhenDraining { closeNow() }
    }

    func closeNow() {
        guard !machine.isClosed else { return }
        machine.markClosed()
        pending = []
        inBuffer = []
        loop.remove(self)
    }
}
