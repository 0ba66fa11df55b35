#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// Starts an event loop's thread: a detached POSIX thread that runs `EventLoop.run()` and holds
/// the loop until that returns.
enum LoopThread {
    static func start(_ loop: EventLoop) throws {
        let argument = Unmanaged.passRetained(loop).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let loop = Unmanaged<EventLoop>.fromOpaque(raw).takeRetainedValue()
            loop.run()
            return nil
        }, argument)
        guard status == 0 else {
            Unmanaged<EventLoop>.fromOpaque(argument).release()
            throw SocketError(call: "pthread_create", errno: status)
        }
        pthread_detach(thread)
    }
}

/// A detached POSIX thread of its own for blocking work (an upstream exchange): blocked for
/// seconds, such work would hold Dispatch's shared worker threads, and a pool that waits for
/// them delays everything else queued there (a watchdog's deadline among it).
package enum DetachedThread {
    private final class Work {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// False when no thread could be made (the caller answers without one).
    package static func start(_ body: @escaping @Sendable () -> Void) -> Bool {
        let argument = Unmanaged.passRetained(Work(body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<Work>.fromOpaque(raw).takeRetainedValue().body()
            return nil
        }, argument)
        guard status == 0 else {
            Unmanaged<Work>.fromOpaque(argument).release()
            return false
        }
        pthread_detach(thread)
        return true
    }
}

/// A closure run on a loop's thread while the caller waits for its result (`EventLoop.sync`).
/// The caller blocks until `done` is signalled, so the closure never outlives its call.
final class SyncCall<T>: @unchecked Sendable {
    private var body: (() -> T)?
    private var result: T?
    let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping () -> T) {
        self.body = body
    }

    func run() {
        result = body?()
        body = nil
        done.signal()
    }

    func take() -> T {
        body = nil
        return result!
    }
}
