#if canImport(Glibc)
import Glibc
#endif
import Synchronization
internal import CFaultlineSystem

/// A thread of its own that owns a set of connections, as nginx's worker does: it blocks in
/// `epoll_wait` on the loop's set, serves every connection that became ready, then runs the
/// timers that are due. Everything a connection touches happens on this thread, so no
/// per-request lock is taken; the read and output buffers are shared by the loop's connections.
/// A thread, not a serial Dispatch queue: under load Dispatch moved the queue between worker
/// threads that then preempted one another on a busy CPU, which showed as latency spikes
/// (p99 2.5× nginx's). Other threads hand work over with `execute`, which an eventfd wakes.
final class EventLoop: @unchecked Sendable {
    let index: Int
    let configuration: HTTPServer.Configuration
    let responder: any HTTPResponder
    private let epoll: Epoll
    /// Readable when `execute` left work in `inbox`.
    private let wakeFD: Int32
    private struct Inbox {
        var tasks: [@Sendable () -> Void] = []
        /// The thread has ended: later work runs on the caller's thread.
        var exited = false
    }
    private let inbox = Mutex(Inbox())
    /// The loop thread's `pthread_self()`, once it runs (so `sync` can refuse to wait on itself).
    private let thread = Atomic<UInt>(0)
    private var timers = LoopTimers()
    /// Nanoseconds between timeout checks, and when the next is due.
    private let tick: UInt64
    private var nextCheck: UInt64 = 0
    /// Set when the loop has drained: the thread ends after the current turn.
    private var running = true
    private(set) var connections: [Int32: HTTPConnection] = [:]
    /// Scratch space for `read`; a connection copies out only what it cannot parse yet.
    let readBuffer: UnsafeMutableBufferPointer<UInt8>
    /// Scratch space for serialised responses, kept between requests.
    /// (Taken and handed back whole by the connection in turn, on this thread only: no runtime
    /// exclusivity check.)
    @exclusivity(unchecked) var output: [UInt8] = []
    /// Request decoding and response compression, with this loop's reusable compressors.
    let coding: MessageCoding
    @exclusivity(unchecked) private var dateCache = HTTPDateCache()
    /// This loop's request counts, latencies and connections (its shard of the server's store).
    let metrics: LoopMetrics
    /// Whether a response's time is taken: for the access log or the metrics.
    let timesResponses: Bool
    private(set) var draining = false
    private var drainedCallback: (@Sendable () -> Void)?
    private static let batch: Int32 = 256
    private let readyFDs = UnsafeMutablePointer<Int32>.allocate(capacity: Int(batch))
    private let readyEvents = UnsafeMutablePointer<UInt32>.allocate(capacity: Int(batch))

    init(index: Int, configuration: HTTPServer.Configuration, responder: any HTTPResponder, metrics: LoopMetrics) throws {
        self.index = index
        self.metrics = metrics
        self.configuration = configuration
        self.coding = MessageCoding(configuration.compression)
        self.responder = responder
        self.timesResponses = configuration.metrics || configuration.accessLog != nil
        self.tick = configuration.timerInterval
        self.epoll = try Epoll.make()
        let wakeFD = CFaultlineSystem_eventfd()
        guard wakeFD >= 0 else {
            let error = SocketError.makeFailed("eventfd")
            Socket.close(epoll.fd)
            throw error
        }
        self.wakeFD = wakeFD
        self.readBuffer = .allocate(capacity: configuration.readBufferSize)
        output.reserveCapacity(16 * 1024)
        do {
            try epoll.add(wakeFD, events: Epoll.readable)
            try LoopThread.start(self)
        } catch {
            Socket.close(wakeFD)
            Socket.close(epoll.fd)
            throw error
        }
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

    /// Whether the thread has ended (the loop drained); later work runs on its caller's thread.
    var hasEnded: Bool { inbox.withLock { $0.exited } }

    /// Runs `task` on the loop's thread, after the work handed over before it. From any thread.
    func execute(_ task: @escaping @Sendable () -> Void) {
        // The eventfd is written under the lock: the thread closes it under the same lock when
        // it ends, so a late hand-over can never write to a descriptor number reused since.
        let ranOut = inbox.withLock { inbox -> Bool in
            if inbox.exited { return true }
            inbox.tasks.append(task)
            if inbox.tasks.count == 1 { CFaultlineSystem_eventfd_signal(wakeFD) }
            return false
        }
        if ranOut { task() }
    }

    /// Runs `body` on the loop's thread and waits for it (tests look inside a loop this way).
    /// Never from the loop's own thread.
    func sync<T>(_ body: () -> T) -> T {
        precondition(thread.load(ordering: .relaxed) != UInt(pthread_self()), "EventLoop.sync called on the loop's own thread")
        return withoutActuallyEscaping(body) { body in
            let call = SyncCall(body)
            execute { call.run() }
            call.done.wait()
            return call.take()
        }
    }

    /// Runs `action` on this thread `seconds` from now (clamped). Only from the loop's thread.
    func schedule(after seconds: Double, _ action: @escaping () -> Void) {
        timers.schedule(at: Self.now() &+ Seconds.nanoseconds(seconds), action)
    }

    /// The thread's life: wait for readiness or the next deadline, serve, run what is due.
    func run() {
        // The kernel keeps 15 bytes of a name.
        CFaultlineSystem_name_thread("loop-\(index)")
        thread.store(UInt(pthread_self()), ordering: .relaxed)
        var now = Self.now()
        nextCheck = now &+ tick
        while running {
            let count = epoll.wait(fds: readyFDs, events: readyEvents, capacity: Self.batch, timeout: waitTimeout(now: now))
            for i in 0..<count {
                let fd = readyFDs[i]
                if fd == wakeFD {
                    runHandedOver()
                    continue
                }
                guard let connection = connections[fd] else { continue }
                let events = readyEvents[i]
                if events & (Epoll.readable | Epoll.failed) != 0 { connection.onReadable(failed: events & Epoll.failed != 0) }
                if events & Epoll.writable != 0 { connection.onWritable() }
            }
            now = Self.now()
            if let next = timers.nextDeadline, next <= now {
                while let action = timers.takeDue(now: now) { action() }
                // What the actions did is stamped later than `now`.
                now = Self.now()
            }
            if now >= nextCheck {
                checkTimeouts(now: now)
                nextCheck = now &+ tick
                // The wait is counted from after the sweep, which many connections make long.
                now = Self.now()
            }
        }
        // Work handed over before the end still runs here, in order; only once none is left
        // does later work run on its caller's thread (and find the loop drained).
        while true {
            let late = inbox.withLock { inbox -> [@Sendable () -> Void] in
                guard inbox.tasks.isEmpty else {
                    defer { inbox.tasks.removeAll() }
                    return inbox.tasks
                }
                inbox.exited = true
                Socket.close(wakeFD)
                Socket.close(epoll.fd)
                return []
            }
            if late.isEmpty { break }
            for task in late { task() }
        }
    }

    /// Milliseconds until the next timer or timeout check, rounded up.
    private func waitTimeout(now: UInt64) -> Int32 {
        var deadline = nextCheck
        if let next = timers.nextDeadline, next < deadline { deadline = next }
        guard deadline > now else { return 0 }
        return Int32(min((deadline - now + 999_999) / 1_000_000, UInt64(Int32.max)))
    }

    private func runHandedOver() {
        CFaultlineSystem_eventfd_drain(wakeFD)
        let tasks = inbox.withLock { inbox -> [@Sendable () -> Void] in
            let tasks = inbox.tasks
            inbox.tasks.removeAll(keepingCapacity: true)
            return tasks
        }
        for task in tasks { task() }
    }

    /// Called on the loop's thread with a freshly accepted socket.
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

    private func checkTimeouts(now: UInt64) {
        guard !connections.isEmpty else { return }
        for connection in Array(connections.values) {
            connection.checkTimeout(now: now)
        }
    }

    /// Stops taking requests: idle connections close now, busy ones after their response.
    /// `drained` runs (on this thread) once no connection is left; then the thread ends.
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
        // Set here too for a forced close: whatever is handed over later finds the loop closed.
        draining = true
        running = false
        let callback = drainedCallback
        drainedCallback = nil
        callback?()
    }
}
