#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// A serial Dispatch queue that owns a set of connections. Readiness arrives through one
/// Dispatch read source on the loop's epoll set: a single wake-up hands over every connection
/// that became ready, instead of one thread hand-off per socket event (measured: the hand-offs
/// cost more than the HTTP work). Everything a connection touches happens on this queue, so no
/// per-request lock is taken; the read and output buffers are shared by the loop's connections.
final class EventLoop: @unchecked Sendable {
    let queue: DispatchQueue
    let configuration: HTTPServer.Configuration
    let responder: any HTTPResponder
    private let epoll: Epoll
    private var readySource: DispatchSourceRead?
    private(set) var connections: [Int32: HTTPConnection] = [:]
    /// Scratch space for `read`; a connection copies out only what it cannot parse yet.
    let readBuffer: UnsafeMutableBufferPointer<UInt8>
    /// Scratch space for serialised responses, kept between requests.
    /// (Taken and handed back whole by the connection in turn, on this queue only: no runtime
    /// exclusivity check.)
    @exclusivity(unchecked) var output: [UInt8] = []
    /// Request decoding and response compression, with this loop's reusable compressors.
    let coding: MessageCoding
    @exclusivity(unchecked) private var dateCache = HTTPDateCache()
    /// This loop's request counts, latencies and connections (its shard of the server's store).
    let metrics: LoopMetrics
    /// Whether a response's time is taken: for the access log or the metrics.
    let timesResponses: Bool
    private var timer: DispatchSourceTimer?
    private(set) var draining = false
    private var drainedCallback: (@Sendable () -> Void)?
    private static let batch: Int32 = 256
    private let readyFDs = UnsafeMutablePointer<Int32>.allocate(capacity: Int(batch))
    private let readyEvents = UnsafeMutablePointer<UInt32>.allocate(capacity: Int(batch))

    init(index: Int, configuration: HTTPServer.Configuration, responder: any HTTPResponder, metrics: LoopMetrics) throws {
        self.metrics = metrics
        self.queue = DispatchQueue(label: "faultline.loop.\(index)")
        self.configuration = configuration
        self.coding = MessageCoding(configuration.compression)
        self.responder = responder
        self.timesResponses = configuration.metrics || configuration.accessLog != nil
        self.epoll = try Epoll.make()
        self.readBuffer = .allocate(capacity: configuration.readBufferSize)
        output.reserveCapacity(16 * 1024)
        let source = DispatchSource.makeReadSource(fileDescriptor: epoll.fd, queue: queue)
        source.setEventHandler { [weak self] in self?.serviceReadyConnections() }
        // Dispatch may still be watching the descriptor until the cancellation completes.
        let epollFD = epoll.fd
        source.setCancelHandler { Socket.close(epollFD) }
        source.resume()
        readySource = source
        startTimer()
    }

    deinit {
        readBuffer.deallocate()
        readyFDs.deallocate()
        readyEvents.deallocate()
    }

    @inline(__always)
    func date() -> [UInt8] { dateCache.current() }

    /// Monotonic nanoseconds.
    @inline(__always)
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    private func serviceReadyConnections() {
        // Keep serving while sockets are ready, but let timers and new connections in between.
        for _ in 0..<8 {
            let count = epoll.poll(fds: readyFDs, events: readyEvents, capacity: Self.batch)
            if count == 0 { return }
            for i in 0..<count {
                guard let connection = connections[readyFDs[i]] else { continue }
                let events = readyEvents[i]
                if events & (Epoll.readable | Epoll.failed) != 0 { connection.onReadable() }
                if events & Epoll.writable != 0 { connection.onWritable() }
            }
        }
        queue.async { [weak self] in self?.serviceReadyConnections() }
    }

    /// Called on `queue` with a freshly accepted socket.
    func adopt(_ fd: Int32, tls: TLSContext? = nil, listener: Int = 0) {
        guard !draining else {
            Socket.close(fd)
            return
        }
        do {
            try epoll.add(fd, events: Epoll.readable)
        } catch {
            Socket.close(fd)
            return
        }
        var session: TLSSession?
        if let tls {
            do {
                session = try TLSSession(context: tls, fd: fd)
            } catch {
                configuration.errorLog?("TLS: \(error)")
                epoll.remove(fd)
                Socket.close(fd)
                return
            }
        }
        connections[fd] = HTTPConnection(fd: fd, loop: self, now: Self.now(), tls: session, listener: listener)
        metrics.open.add(1, ordering: .relaxed)
        metrics.accepted.add(1, ordering: .relaxed)
    }

    /// Which readiness a connection waits for: reading requests, or flushing output it owes.
    func watch(_ fd: Int32, readable: Bool, writable: Bool) {
        epoll.modify(fd, events: (readable ? Epoll.readable : 0) | (writable ? Epoll.writable : 0))
    }

    /// Forgets the connection and closes its socket.
    func remove(_ connection: HTTPConnection) {
        epoll.remove(connection.fd)
        if connections.removeValue(forKey: connection.fd) != nil { metrics.open.subtract(1, ordering: .relaxed) }
        Socket.close(connection.fd)
        if draining && connections.isEmpty { finishDraining() }
    }

    private func startTimer() {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let tick = configuration.timerInterval
        timer.schedule(deadline: .now() + tick, repeating: tick, leeway: .milliseconds(5))
        timer.setEventHandler { [weak self] in self?.checkTimeouts() }
        timer.resume()
        self.timer = timer
    }

    private func checkTimeouts() {
        guard !connections.isEmpty else { return }
        let now = Self.now()
        for connection in Array(connections.values) {
            connection.checkTimeout(now: now)
        }
    }

    /// Stops taking requests: idle connections close now, busy ones after their response.
    /// `drained` runs (on this queue) once no connection is left.
    func drain(_ drained: @escaping @Sendable () -> Void) {
        draining = true
        drainedCallback = drained
        for connection in Array(connections.values) { connection.closeIfIdle() }
        if connections.isEmpty { finishDraining() }
    }

    /// Closes whatever is still open (the grace period ran out).
    func forceClose() {
        for connection in Array(connections.values) { connection.closeNow() }
        if connections.isEmpty { finishDraining() }
    }

    private func finishDraining() {
        timer?.cancel()
        timer = nil
        readySource?.cancel()
        readySource = nil
        let callback = drainedCallback
        drainedCallback = nil
        callback?()
    }
}
