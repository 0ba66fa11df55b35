#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// An HTTP/1.1 server on non-blocking POSIX sockets, driven by Dispatch sources: one
/// accept source, and a few serial event loops that share the connections between them.
///
/// ```swift
/// let server = HTTPServer(configuration: .init(port: 0), responder: myResponder)
/// try server.start()
/// print(server.port)
/// server.stop()
/// ```
public final class HTTPServer: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var host: String = "127.0.0.1"
        /// 0 picks a free port; read it back from `HTTPServer.port`.
        public var port: UInt16 = 8080
        /// Pending connections the kernel may queue (capped by `net.core.somaxconn`).
        public var backlog: Int32 = 4096
        public var limits = HTTPParserLimits()
        /// Seconds from a request's first byte to its last before the client gets 408 (slowloris).
        public var requestTimeout: Double = 10
        /// Seconds a kept-alive connection may stay silent between requests.
        public var idleTimeout: Double = 60
        /// Seconds to drain a closing connection's unread input after the last response.
        public var lingerTimeout: Double = 2
        /// Seconds `stop()` waits for in-flight work before closing everything.
        public var shutdownGracePeriod: Double = 10
        /// Serial event loops; by default one per CPU this process may run on.
        public var eventLoops: Int = 0
        /// Bytes read from a socket at a time.
        public var readBufferSize: Int = 64 * 1024
        /// Longest a response may be held back, in seconds: a delay is cut to it, and a `hang`
        /// fault closes the connection after it if the client has not given up first.
        public var maxHold: Double = 120
        /// Response compression and request-body decoding (gzip, deflate).
        public var compression = CompressionSettings()
        /// Count requests by `ResponseNotes.tag`, status and label, time them, and count connections,
        /// for `metrics()`. Costs one uncontended per-loop lock and two clock reads per request.
        public var metrics = true
        /// Called after each response when set. Runs on an event loop: keep it short.
        public var accessLog: (@Sendable (AccessLogRecord) -> Void)?
        /// Called once per failure the server cannot answer (a failed TLS handshake).
        public var errorLog: (@Sendable (String) -> Void)?
        /// HTTPS: the context, and the port to serve it on. Nil port: HTTPS replaces plain HTTP
        /// on `port`; a port (0 picks one): HTTPS there, plain HTTP on `port` as well.
        public var tls: TLSContext?
        public var tlsPort: UInt16?
        /// More ports to listen on, served like `port` (HTTPS there when HTTPS replaces plain
        /// HTTP): a request tells its responder which one it came in on (`HTTPRequest.listener`),
        /// so one process can put a different vendor at the root of each. 0 picks a free port.
        public var extraPorts: [UInt16] = []
        /// Where the loops count requests: make it first and hand it to whoever reports the
        /// counts as well (`ScenarioService`'s `/metrics`); nil: the server makes its own.
        public var metricsStore: ServerMetricsStore?

        public init(host: String = "127.0.0.1", port: UInt16 = 8080) {
            self.host = host
            self.port = port
        }

        var timeouts: ConnectionStateMachine.Timeouts {
            .init(request: Seconds.nanoseconds(requestTimeout), idle: Seconds.nanoseconds(idleTimeout), linger: Seconds.nanoseconds(lingerTimeout))
        }

        /// Nanoseconds between timeout checks: often enough to honour the shortest timeout to
        /// within a quarter of it.
        var timerInterval: UInt64 {
            let shortest = min(Seconds.clamped(requestTimeout), Seconds.clamped(idleTimeout), Seconds.clamped(lingerTimeout))
            return Seconds.nanoseconds(max(0.01, min(1.0, shortest / 4)))
        }
    }

    public let configuration: Configuration
    private let responder: any HTTPResponder
    private let acceptQueue = DispatchQueue(label: "faultline.accept")
    private var loops: [EventLoop] = []
    private struct Listener {
        let fd: Int32
        let tls: TLSContext?
        /// `HTTPRequest.listener` of its requests.
        let number: Int
        let source: DispatchSourceRead
        var suspended = false
    }

    private var listeners: [Listener] = []
    private var nextLoop = 0
    private var stopping = false
    private let stopped = DispatchSemaphore(value: 0)
    /// Left when each listening socket is really closed (its source's cancel handler ran).
    private let listenerClosed = DispatchGroup()
    /// The plain HTTP port (or the HTTPS one when HTTPS replaces it).
    public private(set) var port: UInt16 = 0
    /// The HTTPS port, when HTTPS is served beside plain HTTP.
    public private(set) var tlsPort: UInt16?
    /// The bound `extraPorts`, in their order.
    public private(set) var extraPorts: [UInt16] = []

    /// The loops' counters (`Configuration.metricsStore`, or the server's own).
    public let metricsStore: ServerMetricsStore

    public init(configuration: Configuration, responder: any HTTPResponder) {
        self.configuration = configuration
        self.responder = responder
        self.metricsStore = configuration.metricsStore ?? ServerMetricsStore()
    }

    /// The transport's counters, summed over the event loops. Empty before `start()`.
    public func metrics() -> ServerMetrics {
        metricsStore.snapshot()
    }

    /// Binds, listens and starts accepting. Returns once the sockets are listening.
    public func start() throws {
        Self.raiseOpenFileLimit()
        // OpenSSL writes with write(2), not send(MSG_NOSIGNAL): a peer that vanished mid-response
        // would raise SIGPIPE and kill the process. EPIPE is handled where it is returned.
        signal(SIGPIPE, SIG_IGN)
        var bound: [(fd: Int32, tls: TLSContext?, number: Int)] = []
        do {
            let plainTLS = configuration.tlsPort == nil ? configuration.tls : nil
            let (fd, boundPort) = try Socket.makeListener(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
            port = boundPort
            bound.append((fd, plainTLS, 0))
            if let tls = configuration.tls, let wanted = configuration.tlsPort {
                let (tlsFD, boundTLS) = try Socket.makeListener(host: configuration.host, port: wanted, backlog: configuration.backlog)
                tlsPort = boundTLS
                bound.append((tlsFD, tls, 0))
            }
            for (i, wanted) in configuration.extraPorts.enumerated() {
                let (extraFD, boundExtra) = try Socket.makeListener(host: configuration.host, port: wanted, backlog: configuration.backlog)
                extraPorts.append(boundExtra)
                bound.append((extraFD, plainTLS, i + 1))
            }
            let count = configuration.eventLoops > 0 ? configuration.eventLoops : Socket.availableCPUs
            for index in 0..<count {
                loops.append(try EventLoop(index: index, configuration: configuration, responder: responder, metrics: metricsStore.shard()))
            }
        } catch {
            for listener in bound { Socket.close(listener.fd) }
            // Loops already running end their threads.
            for loop in loops { loop.execute { loop.forceClose() } }
            loops = []
            throw error
        }
        for (index, listener) in bound.enumerated() {
            let source = DispatchSource.makeReadSource(fileDescriptor: listener.fd, queue: acceptQueue)
            source.setEventHandler { self.acceptConnections(index) }
            listenerClosed.enter()
            let fd = listener.fd
            source.setCancelHandler { [listenerClosed] in
                Socket.close(fd)
                listenerClosed.leave()
            }
            listeners.append(Listener(fd: listener.fd, tls: listener.tls, number: listener.number, source: source))
        }
        for listener in listeners { listener.source.resume() }
    }

    private func acceptConnections(_ index: Int) {
        // Take what is queued, but yield now and then so one burst cannot starve the loops.
        let listener = listeners[index]
        for _ in 0..<256 {
            switch Socket.accept(listener.fd) {
            case .accepted(let fd):
                Socket.setNoDelay(fd)
                let loop = loops[nextLoop]
                nextLoop = (nextLoop + 1) % loops.count
                let tls = listener.tls
                let number = listener.number
                loop.execute { loop.adopt(fd, tls: tls, listener: number) }
            case .wouldBlock:
                return
            case .failed(let error):
                if error.errno == EMFILE || error.errno == ENFILE || error.errno == ENOBUFS || error.errno == ENOMEM {
                    // Out of descriptors: pause accepting briefly instead of spinning on a readable listener.
                    guard !stopping, !listeners[index].suspended else { return }
                    listener.source.suspend()
                    listeners[index].suspended = true
                    acceptQueue.asyncAfter(deadline: .now() + .milliseconds(100)) {
                        if !self.stopping, self.listeners[index].suspended {
                            self.listeners[index].suspended = false
                            self.listeners[index].source.resume()
                        }
                    }
                }
                return
            }
        }
    }

    /// Graceful shutdown: stop accepting, let responses in flight finish, close idle
    /// connections, and call `completion` once every connection is closed (or the grace
    /// period has passed).
    public func shutdown(completion: @escaping @Sendable () -> Void) {
        acceptQueue.async {
            guard !self.stopping else { return }
            self.stopping = true
            for index in self.listeners.indices {
                if self.listeners[index].suspended {
                    self.listeners[index].suspended = false
                    self.listeners[index].source.resume()
                }
                self.listeners[index].source.cancel()
            }
            let group = DispatchGroup()
            group.enter()
            self.listenerClosed.notify(queue: self.acceptQueue) { group.leave() }
            for loop in self.loops {
                group.enter()
                loop.execute { loop.drain { group.leave() } }
            }
            let loops = self.loops
            let grace = self.configuration.shutdownGracePeriod
            self.acceptQueue.asyncAfter(deadline: .now() + Seconds.interval(grace)) {
                for loop in loops { loop.execute { loop.forceClose() } }
            }
            group.notify(queue: self.acceptQueue) {
                self.stopped.signal()
                completion()
            }
        }
    }

    /// Shuts down gracefully and blocks until done. Do not call it from a loop's thread.
    public func stop() {
        shutdown {}
        stopped.wait()
        stopped.signal()
    }

    /// Thousands of keep-alive connections need descriptors: raise the soft limit to the hard one.
    private static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
