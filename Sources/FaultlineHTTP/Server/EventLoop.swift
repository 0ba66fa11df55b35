#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// A serial queue that owns a set of connections. Everything a connection touches happens on
/// its loop's queue, so no per-request lock is taken; the read and output buffers are shared
/// by all the loop's connections and reused for every request.
final class EventLoop: @unchecked Sendable {
    let queue: DispatchQueue
    let configuration: HTTPServer.Configuration
    let responder: any HTTPResponder
    private(set) var connections: [Int32: HTTPConnection] = [:]
    /// Scratch space for `read`; a connection copies out only what it cannot parse yet.
    let readBuffer: UnsafeMutableBufferPointer<UInt8>
    /// Scratch space for serialised responses, kept between requests.
    var output: [UInt8] = []
    private var dateCache = HTTPDateCache()
    private var timer: DispatchSourceTimer?
    private(set) var draining = false
    private var drainedCallback: (@Sendable () -> Void)?

    init(index: Int, configuration: HTTPServer.Configuration, responder: any HTTPResponder) {
        self.queue = DispatchQueue(label: "faultline.loop.\(index)")
        self.configuration = configuration
        self.responder = responder
        self.readBuffer = .allocate(capacity: configuration.readBufferSize)
        output.reserveCapacity(16 * 1024)
        startTimer()
    }

    deinit {
        readBuffer.deallocate()
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

    /// Called on `queue` with a freshly accepted socket.
    func adopt(_ fd: Int32) {
        if draining {
            Socket.close(fd)
            return
        }
        let connection = HTTPConnection(fd: fd, loop: self, now: Self.now())
        connections[fd] = connection
        connection.start()
    }

    func remove(_ connection: HTTPConnection) {
        connections[connection.fd] = nil
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
        for connection in connections.values {
            connection.checkTimeout(now: now)
        }
    }

    /// Stops taking requests: idle connections close now, busy ones after their response.
    /// `drained` runs (on this queue) once no connection is left.
    func drain(_ drained: @escaping @Sendable () -> Void) {
        draining = true
        drainedCallback = drained
        for connection in connections.values { connection.closeIfIdle() }
        if connections.isEmpty { finishDraining() }
    }

    /// Closes whatever is still open (the grace period ran out).
    func forceClose() {
        for connection in connections.values { connection.closeNow() }
        if connections.isEmpty { finishDraining() }
    }

    private func finishDraining() {
        timer?.cancel()
        timer = nil
        let callback = drainedCallback
        drainedCallback = nil
        callback?()
    }
}
