import Testing
import Synchronization
@testable import FaultlineHTTP
#if canImport(Glibc)
import Glibc
#endif

/// The connection on a socket pair with a responder of a few lines: the transport's behaviour
/// without a listener and without a vendor file, so no scenario edit can break these tests.
@Suite struct HTTPConnectionTests {
    /// Answers `GET /<text>` with `<text>` as the body; `/big/<n>` with n bytes; `/late/<ms>`
    /// held back that many milliseconds.
    struct Echo: HTTPResponder {
        func respond(to request: HTTPRequest, notes: inout ResponseNotes) -> HTTPResponse {
            let name = String(request.path.dropFirst())
            notes = ResponseNotes(label: "echo \(name)", tag: 3)
            var response = HTTPResponse(status: 200, headers: ["Content-Type": "text/plain"], body: Array(name.utf8))
            if name.hasPrefix("big/"), let size = Int(name.dropFirst(4)) {
                response.body = [UInt8](repeating: UInt8(ascii: "x"), count: size)
            }
            if name.hasPrefix("late/"), let ms = Double(name.dropFirst(5)) {
                response.delivery = ResponseDelivery(delay: ms / 1000)
            }
            return response
        }
    }

    /// One loop and one connection on it; `peer` is the client's end.
    final class Pair {
        let loop: EventLoop
        let metrics: LoopMetrics
        let peer: Int32

        init(configure: (inout HTTPServer.Configuration) -> Void = { _ in }) throws {
            var configuration = HTTPServer.Configuration(port: 0)
            configure(&configuration)
            metrics = LoopMetrics()
            loop = try EventLoop(index: 0, configuration: configuration, responder: Echo(), metrics: metrics)
            var fds: [Int32] = [0, 0]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { throw SocketError(call: "socketpair", errno: errno) }
            _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fds[1], SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            peer = fds[1]
            let server = fds[0]
            let loop = self.loop
            loop.sync { loop.adopt(server) }
        }

        deinit {
            Glibc.close(peer)
            let loop = self.loop
            loop.sync { loop.forceClose() }
        }

        func send(_ text: String) {
            var bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeMutableBytes { Glibc.write(peer, $0.baseAddress! + offset, $0.count - offset) }
                guard n > 0 else { return }
                offset += n
            }
        }

        private var buffered: [UInt8] = []

        /// The next response's status and body; nil when the server closed instead.
        func response() -> (status: Int, body: String)? {
            while true {
                if let end = headEnd() {
                    let head = String(decoding: buffered[..<end], as: UTF8.self)
                    let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                        .flatMap { Int($0.split(separator: ":")[1].filter { $0 != " " }) } ?? 0
                    if buffered.count >= end + 4 + length {
                        let body = String(decoding: buffered[(end + 4)..<(end + 4 + length)], as: UTF8.self)
                        buffered.removeFirst(end + 4 + length)
                        return (Int(head.dropFirst(9).prefix(3)) ?? 0, body)
                    }
                }
                guard readMore() else { return nil }
            }
        }

        /// Whether the server closed its end (EOF with nothing more to read).
        func closedByServer() -> Bool {
            buffered.isEmpty && !readMore()
        }

        private func readMore() -> Bool {
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(peer, $0.baseAddress, $0.count) }
            guard n > 0 else { return false }
            buffered.append(contentsOf: chunk[..<n])
            return true
        }

        private func headEnd() -> Int? {
            guard buffered.count >= 4 else { return nil }
            for i in 0...(buffered.count - 4) where buffered[i] == 13 && buffered[i + 1] == 10 && buffered[i + 2] == 13 && buffered[i + 3] == 10 {
                return i
            }
            return nil
        }
    }

    static func get(_ path: String, _ extra: String = "") -> String {
        "GET /\(path) HTTP/1.1\r\nHost: h\r\n\(extra)\r\n"
    }

    @Test func answersPipelinedRequestsInOrderOnOneConnection() throws {
        let pair = try Pair()
        pair.send(["a", "b", "c"].map { Self.get($0) }.joined())
        #expect(pair.response()?.body == "a")
        #expect(pair.response()?.body == "b")
        #expect(pair.response()?.body == "c")
    }

    @Test func aRequestSplitAcrossReadsIsAnsweredOnceComplete() throws {
        let pair = try Pair()
        pair.send("GET /sp")
        pair.send("lit HTTP/1.1\r\nHo")
        pair.send("st: h\r\n\r\n")
        #expect(pair.response()?.body == "split")
    }

    @Test func aHeldResponseKeepsThePipelinedAnswersBehindItInOrder() throws {
        let pair = try Pair()
        pair.send(Self.get("late/50") + Self.get("after"))
        #expect(pair.response()?.body == "late/50")
        #expect(pair.response()?.body == "after")
    }

    @Test func answersThatOutrunAReaderWaitForItAndArriveWhole() throws {
        // 40 answers of 64 KiB: far more than a socket pair buffers, so the connection must stop
        // reading, wait for the socket, and resume with the requests it left buffered.
        let pair = try Pair()
        pair.send((0..<40).map { _ in Self.get("big/65536") }.joined() + Self.get("last"))
        for _ in 0..<40 {
            #expect(pair.response()?.body.count == 65_536)
        }
        #expect(pair.response()?.body == "last")
    }

    @Test func connectionCloseIsAnsweredThenTheServerCloses() throws {
        let pair = try Pair()
        pair.send(Self.get("bye", "Connection: close\r\n") + Self.get("never"))
        #expect(pair.response()?.body == "bye")
        #expect(pair.closedByServer())
    }

    @Test func malformedRequestGets400AndAClose() throws {
        let pair = try Pair()
        pair.send("GET / HTTP/1.1\r\nHost: h\r\nBad Header\r\n\r\n")
        #expect(pair.response()?.status == 400)
        #expect(pair.closedByServer())
    }

    @Test func aDrainingLoopClosesAConnectionBetweenRequests() throws {
        let pair = try Pair()
        pair.send(Self.get("one"))
        #expect(pair.response()?.body == "one")
        let loop = pair.loop
        loop.sync { loop.drain {} }
        #expect(pair.closedByServer())
    }

    @Test func aDrainingLoopAnswersTheHeldRequestAndThenCloses() throws {
        let pair = try Pair()
        pair.send(Self.get("late/100"))
        let loop = pair.loop
        // Let the loop read the request first: draining applies to requests already taken.
        while loop.sync({ loop.connections.values.first?.answersRequests ?? false }) { usleep(1_000) }
        loop.sync { loop.drain {} }
        #expect(pair.response()?.body == "late/100")
        #expect(pair.closedByServer())
    }

    @Test func theNotesAResponderWritesReachTheAccessLogAndTheMetricsButNotTheWire() throws {
        let records = Records()
        let pair = try Pair { $0.accessLog = { records.append($0) } }
        pair.send(Self.get("noted") + "GET / HTTP/1.1\r\nHost: h\r\nBad Header\r\n\r\n")
        let response = pair.response()
        #expect(response?.body == "noted")
        #expect(pair.response()?.status == 400)
        #expect(records.all.map(\.label) == ["echo noted", "protocol-error"])
        var total = ServerMetrics()
        pair.metrics.add(to: &total)
        #expect(total.requests[ServerMetrics.RequestKey(tag: 3, status: 200, label: "echo noted")] == 1)
        #expect(total.latency[3]?.count == 1)
    }
}

final class Records: Sendable {
    private let lock = Mutex<[AccessLogRecord]>([])
    func append(_ record: AccessLogRecord) { lock.withLock { $0.append(record) } }
    var all: [AccessLogRecord] { lock.withLock { $0 } }
}
