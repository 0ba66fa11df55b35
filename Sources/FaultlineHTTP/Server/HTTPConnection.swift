#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// One client connection. Confined to its loop's queue.
final class HTTPConnection {
    let fd: Int32
    unowned let loop: EventLoop
    private var parser: HTTPRequestParser
    private var machine: ConnectionStateMachine
    /// Bytes of a request that has not fully arrived.
    private var inBuffer: [UInt8] = []
    /// Output the socket would not take yet.
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    /// Output is waiting for the socket to drain; requests are not read meanwhile (back-pressure).
    var waitingToWrite = false
    /// Set once the response that ends this connection has been queued.
    var closeAfterFlush = false
    /// A read's pipelined requests are answered until this much output is queued; the rest
    /// waits in `inBuffer` until the socket has taken it (bounded memory per connection).
    private static let outputHighWater = 256 * 1024
    /// Requests answered in the current batch (a completed request restarts the request clock).
    private var answered = 0
    /// A response is held back (a delay, a slow body, a hang): nothing more is read or answered
    /// until it is out, so pipelined answers keep their order.
    var holding = false
    private var held: (response: HTTPResponse, delivery: ResponseDelivery, headOnly: Bool, keepAlive: Bool, announce: Bool)?
    private(set) var closed = false
    /// TLS on this connection (the HTTPS listener's), and whether its handshake is under way.
    private let tls: TLSSession?
    private var handshaking: Bool
    /// The handshake must finish by then (the request timeout), or the connection is closed.
    private let handshakeDeadline: UInt64
    /// The listening socket it was accepted on (`HTTPRequest.listener`).
    private let listener: Int

    init(fd: Int32, loop: EventLoop, now: UInt64, tls: TLSSession? = nil, listener: Int = 0) {
        self.fd = fd
        self.listener = listener
        self.loop = loop
        self.parser = HTTPRequestParser(limits: loop.configuration.limits)
        self.machine = ConnectionStateMachine(timeouts: loop.configuration.timeouts, now: now)
        self.tls = tls
        self.handshaking = tls != nil
        self.handshakeDeadline = now &+ Seconds.nanoseconds(loop.configuration.requestTimeout)
    }

    // MARK: Reading

    func onReadable() {
        guard !closed else { return }
        let buffer = UnsafeMutableRawBufferPointer(loop.readBuffer)
        if case .lingering = machine.state {
            // Discard whatever the peer still sends until it closes or the linger time ends.
            switch ioRead(buffer) {
            case .bytes, .wouldBlock: return
            case .closed, .failed: closeNow()
            }
            return
        }
        if handshaking {
            continueHandshake()
            return
        }
        switch ioRead(buffer) {
        case .wouldBlock:
            return
        case .closed, .failed:
            closeNow()
        case .bytes(let count):
            received(count)
            // OpenSSL may hold decrypted bytes epoll cannot see: take them now.
            if let tls, tls.pending > 0, !closed, !holding, !waitingToWrite, !closeAfterFlush { onReadable() }
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
            handshaking = false
            loop.watch(fd, readable: true, writable: false)
            onReadable()
        case .wantRead:
            loop.watch(fd, readable: true, writable: false)
        case .wantWrite:
            loop.watch(fd, readable: false, writable: true)
        case .failed(let error):
            loop.configuration.errorLog?("TLS handshake failed: \(error)")
            closeNow()
        }
    }

    private func refusePlainHTTP() {
        handshaking = false
        let response = HTTPResponseWriter.plainText(400, "The plain HTTP request was sent to HTTPS port\n", label: "plain-http-on-tls-port")
        var bytes: [UInt8] = []
        HTTPResponseWriter.write(response, headOnly: false, close: true, announceKeepAlive: false, date: loop.date(), into: &bytes)
        _ = bytes.withUnsafeBytes { Socket.write(fd, $0) }
        log(method: "-", target: "-", response: response, start: nil)
        Socket.shutdownWrite(fd)
        machine.startLingering(now: EventLoop.now())
    }

    private func received(_ count: Int) {
        var out = loop.output
        loop.output = []
        out.removeAll(keepingCapacity: true)

        let fresh = UnsafeBufferPointer(rebasing: UnsafeBufferPointer(loop.readBuffer)[0..<count])
        if inBuffer.isEmpty {
            // The common case: whole requests in one read, parsed straight from the scratch buffer.
            let consumed = process(fresh, into: &out)
            if consumed < count && !closeAfterFlush {
                inBuffer.append(contentsOf: UnsafeBufferPointer(rebasing: fresh[consumed...]))
            }
        } else {
            inBuffer.append(contentsOf: fresh)
            let consumed = inBuffer.withUnsafeBufferPointer { process($0, into: &out) }
            if closeAfterFlush {
                inBuffer = []
            } else {
                inBuffer.removeFirst(consumed)
            }
        }
        finishBatch(&out)
    }

    /// After answering what arrived: update the clock, send, and hand the buffer back to the
    /// loop (uniquely owned, so the next batch reuses it without a copy; an outsized one is dropped).
    private func finishBatch(_ out: inout [UInt8]) {
        machine.bytesReceived(requestPending: !inBuffer.isEmpty || !parser.isIdle, completedRequest: answered > 0, now: EventLoop.now())
        answered = 0
        send(out)
        if out.capacity > 4 * Self.outputHighWater { out = [] }
        loop.output = out
        out = []
        if let held {
            self.held = nil
            hold(held.response, held.delivery, headOnly: held.headOnly, keepAlive: held.keepAlive, announce: held.announce)
        }
    }

    /// Answers requests left in `inBuffer` when an earlier batch stopped at the high-water mark.
    private func resumeBuffered() {
        guard !closed, !closeAfterFlush, !waitingToWrite, !holding, !inBuffer.isEmpty else { return }
        var out = loop.output
        loop.output = []
        out.removeAll(keepingCapacity: true)
        let consumed = inBuffer.withUnsafeBufferPointer { process($0, into: &out) }
        if closeAfterFlush { inBuffer = [] } else { inBuffer.removeFirst(consumed) }
        finishBatch(&out)
    }

    /// Answers every complete request in `bytes`, in order. Returns how many bytes were used.
    private func process(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Int {
        var offset = 0
        while !closeAfterFlush && !holding && out.count < Self.outputHighWater {
            let (event, consumed) = parser.parse(UnsafeBufferPointer(rebasing: bytes[offset...]))
            offset += consumed
            switch event {
            case .needMore:
                return offset
            case .continueExpected:
                out.append(contentsOf: HTTPResponseWriter.continueResponse)
            case .request(var request):
                request.listener = listener
                respond(to: request, into: &out)
                answered += 1
            case .error(let error):
                let response = HTTPResponseWriter.errorResponse(for: error)
                HTTPResponseWriter.write(response, headOnly: false, close: true, announceKeepAlive: false, date: loop.date(), into: &out)
                closeAfterFlush = true
                log(method: "-", target: "-", response: response, start: nil)
            }
        }
        return offset
    }

    private func respond(to request: HTTPRequest, into out: inout [UInt8]) {
        let start: UInt64? = loop.timesResponses ? EventLoop.now() : nil
        var response: HTTPResponse
        switch loop.coding.decodeBody(of: request) {
        case .unchanged:
            response = loop.responder.respond(to: request)
        case .decoded(let body):
            var decoded = request
            decoded.body = body
            response = loop.responder.respond(to: decoded)
        case .refused(let refusal):
            response = refusal
        }
        loop.coding.encode(&response, for: request)
        let keepAlive = request.keepAlive && !loop.draining
        if let delivery = response.delivery {
            holding = true
            held = (response, delivery, request.method == "HEAD", keepAlive, keepAlive && request.version == .http1_0)
            if start != nil { log(method: request.method, target: request.target, response: response, start: start) }
            return
        }
        HTTPResponseWriter.write(
            response,
            headOnly: request.method == "HEAD",
            close: !keepAlive,
            announceKeepAlive: keepAlive && request.version == .http1_0,
            date: loop.date(),
            into: &out
        )
        if !keepAlive { closeAfterFlush = true }
        if start != nil { log(method: request.method, target: request.target, response: response, start: start) }
    }

    /// Access log and metrics for one answered request. A held response counts the delay it
    /// asked for, so the latency seen here is the one its client waits (dribble time excluded).
    private func log(method: String, target: String, response: HTTPResponse, start: UInt64?) {
        var duration = start.map { EventLoop.now() &- $0 } ?? 0
        if let delay = response.delivery?.delay, delay > 0 { duration &+= Seconds.nanoseconds(min(delay, loop.configuration.maxHold)) }
        if loop.configuration.metrics {
            loop.metrics.record(tag: response.metricsTag, status: response.status, label: response.logLabel, nanoseconds: duration)
        }
        guard let handler = loop.configuration.accessLog else { return }
        handler(AccessLogRecord(method: method, target: target, status: response.status, label: response.logLabel, durationNanoseconds: duration))
    }

    // MARK: Writing

    func send(_ out: [UInt8]) {
        guard !out.isEmpty else { return }
        if !pending.isEmpty {
            pending.append(contentsOf: out)
            return
        }
        let written = out.withUnsafeBytes { write($0) }
        guard let written else { return }
        if written == out.count {
            if closeAfterFlush { beginClose() } else { afterFlush() }
        } else {
            pending = Array(out[written...])
            pendingOffset = 0
            waitForWritable()
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

    private func waitForWritable() {
        waitingToWrite = true
        loop.watch(fd, readable: false, writable: true)
    }

    func onWritable() {
        if handshaking, !closed {
            continueHandshake()
            return
        }
        guard !closed, waitingToWrite else { return }
        let written = pending.withUnsafeBytes { write(UnsafeRawBufferPointer(rebasing: $0[pendingOffset...])) }
        guard let written else { return }
        pendingOffset += written
        guard pendingOffset == pending.count else { return }
        pending = []
        pendingOffset = 0
        waitingToWrite = false
        loop.watch(fd, readable: !holding, writable: false)
        if closeAfterFlush { beginClose() } else { afterFlush() }
    }

    /// Everything owed is written: answer what was held back, or close if the server is draining.
    private func afterFlush() {
        if !inBuffer.isEmpty {
            resumeBuffered()
        } else if loop.draining {
            closeIfIdle()
        }
    }

    // MARK: Lifecycle

    func checkTimeout(now: UInt64) {
        // A held response keeps its own clock (bounded by `maxHold`).
        if holding { return }
        if handshaking {
            if now > handshakeDeadline { closeNow() }
            return
        }
        switch machine.timeoutAction(now: now) {
        case .none:
            return
        case .close:
            closeNow()
        case .timeOutRequest:
            guard pending.isEmpty, !closeAfterFlush else {
                closeNow()
                return
            }
            var out: [UInt8] = []
            let error = HTTPParseError(status: 408, reason: "request not received in time")
            let response = HTTPResponseWriter.errorResponse(for: error)
            HTTPResponseWriter.write(response, headOnly: false, close: true, announceKeepAlive: false, date: loop.date(), into: &out)
            closeAfterFlush = true
            inBuffer = []
            log(method: "-", target: "-", response: response, start: nil)
            // The linger clock now bounds the write of the 408 as well.
            machine.startLingering(now: now)
            send(out)
        }
    }

    /// Used when the server drains: a connection between requests closes at once.
    func closeIfIdle() {
        if machine.isIdle && pending.isEmpty && inBuffer.isEmpty && parser.isIdle {
            closeNow()
        }
    }

    /// Our last response is out: half-close and drain the peer briefly (a lingering close),
    /// so that unread request bytes do not turn our close into an RST that eats the response.
    private func beginClose() {
        guard !closed else { return }
        tls?.shutdown()
        Socket.shutdownWrite(fd)
        machine.startLingering(now: EventLoop.now())
    }

    func closeNow() {
        guard !closed else { return }
        closed = true
        machine.markClosed()
        pending = []
        inBuffer = []
        loop.remove(self)
    }
}
