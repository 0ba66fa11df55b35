import Testing
import Synchronization
@testable import FaultlineHTTP
#if canImport(Glibc)
import Glibc
#endif

/// The loop's thread and hand-over: work from other threads runs on the loop in order, and a
/// loop that has ended turns later work away cleanly.
@Suite struct EventLoopTests {
    struct Silent: HTTPResponder {
        func respond(to request: HTTPRequest, notes: inout ResponseNotes) -> HTTPResponse {
            HTTPResponse(status: 204)
        }
    }

    private func makeLoop() throws -> EventLoop {
        try EventLoop(index: 0, configuration: HTTPServer.Configuration(port: 0), responder: Silent(), metrics: LoopMetrics())
    }

    @Test func workHandedOverRunsOnTheLoopsThreadInOrder() throws {
        let loop = try makeLoop()
        let caller = UInt(pthread_self())
        let seen = Mutex<[Int]>([])
        let threads = Mutex<Set<UInt>>([])
        for i in 0..<200 {
            loop.execute {
                seen.withLock { $0.append(i) }
                _ = threads.withLock { $0.insert(UInt(pthread_self())) }
            }
        }
        let loopThread = loop.sync { UInt(pthread_self()) }
        #expect(seen.withLock { $0 } == Array(0..<200))
        #expect(threads.withLock { $0 } == [loopThread])
        #expect(loopThread != caller)
        loop.sync { loop.forceClose() }
    }

    @Test func aLoopClosedWithoutDrainingClosesASocketHandedToItLater() throws {
        let loop = try makeLoop()
        loop.sync { loop.forceClose() }
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { throw SocketError(call: "socketpair", errno: errno) }
        defer { Glibc.close(fds[1]) }
        let server = fds[0]
        // The thread may still be finishing its last turn: either way the socket is closed,
        // never added to the ended loop's epoll set.
        loop.sync { loop.adopt(server) }
        #expect(loop.sync { loop.connections.isEmpty })
        var byte: UInt8 = 0
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fds[1], SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        #expect(Glibc.read(fds[1], &byte, 1) == 0)
    }

    @Test func aLoopsThreadEndsOnceItHasDrained() throws {
        let loop = try makeLoop()
        #expect(!loop.hasEnded)
        loop.sync { loop.drain {} }
        var waited = 0
        while !loop.hasEnded && waited < 2_000 {
            usleep(1_000)
            waited += 1
        }
        #expect(loop.hasEnded)
        // Work handed over now runs on the caller's thread, at once.
        let caller = UInt(pthread_self())
        #expect(loop.sync { UInt(pthread_self()) } == caller)
    }
}
