#if canImport(Glibc)
import Glibc
internal import CFaultlineSystem


/// Thin wrappers over the libc socket calls. Every failure names the call and carries `errno`.
package enum Socket {
    static let invalid: Int32 = -1

    /// A non-blocking TCP listening socket bound to `host:port` (port 0 picks a free port).
    static func makeListener(host: String, port: UInt16, backlog: Int32) throws -> (fd: Int32, port: UInt16) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let lookupHost = host.isEmpty ? nil : host
        let status = getaddrinfo(lookupHost, String(port), &hints, &result)
        guard status == 0, let info = result else {
            // A name that does not resolve is not an errno: gai_strerror says which it is.
            let call = status == EAI_SYSTEM ? "getaddrinfo(\(host))" : "getaddrinfo(\(host)): \(String(cString: gai_strerror(status)))"
            throw SocketError(call: call, errno: status == EAI_SYSTEM ? currentErrno() : EINVAL)
        }
        defer { freeaddrinfo(result) }

        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError.makeFailed("socket") }
        do {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1, name: "SO_REUSEADDR")
            guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
                throw SocketError.makeFailed("bind(\(host):\(port))")
            }
            guard listen(fd, backlog) == 0 else { throw SocketError.makeFailed("listen") }
            return (fd, try localPort(fd))
        } catch {
            close(fd)
            throw error
        }
    }

    static func localPort(_ fd: Int32) throws -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { throw SocketError.makeFailed("getsockname") }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
        default:
            throw SocketError(call: "getsockname", errno: EAFNOSUPPORT)
        }
    }

    enum AcceptResult {
        case accepted(Int32)
        case wouldBlock
        case failed(SocketError)
    }

    /// Accepts one connection as a non-blocking, close-on-exec socket.
    static func accept(_ listener: Int32) -> AcceptResult {
        let fd = CFaultlineSystem_accept4(listener)
        if fd >= 0 { return .accepted(fd) }
        let err = currentErrno()
        if err == EAGAIN || err == EWOULDBLOCK { return .wouldBlock }
        return .failed(SocketError(call: "accept4", errno: err))
    }

    /// A blocking TCP socket connected to `host:port` (a numeric address, or a name resolved
    /// when not `numeric`, each of its addresses tried in turn: `localhost` may be `::1` first),
    /// with send and receive timeouts (which bound the connect, too) and no Nagle delay: the
    /// client side, for health probes, test clients and upstreams.
    package static func connect(host: String, port: UInt16, timeout: Double, numeric: Bool = true) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = numeric ? AI_NUMERICHOST | AI_NUMERICSERV : AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, var info = result else {
            // A name that does not resolve is not an errno: gai_strerror says which it is.
            let call = status == EAI_SYSTEM ? "getaddrinfo(\(host))" : "getaddrinfo(\(host)): \(String(cString: gai_strerror(status)))"
            throw SocketError(call: call, errno: status == EAI_SYSTEM ? currentErrno() : EINVAL)
        }
        defer { freeaddrinfo(result) }
        while true {
            let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SocketError.makeFailed("socket") }
            var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setNoDelay(fd)
            if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
            let error = SocketError.makeFailed("connect(\(host):\(port))")
            close(fd)
            guard let next = info.pointee.ai_next else { throw error }
            info = next
        }
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ option: Int32, _ value: Int32, name: String) throws {
        var value = value
        guard setsockopt(fd, level, option, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw SocketError.makeFailed("setsockopt(\(name))")
        }
    }

    /// Sends each response in one segment without waiting for the peer's delayed ACK.
    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    enum IOResult {
        case bytes(Int)
        case wouldBlock
        case closed
        case failed(SocketError)
    }

    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
        if n > 0 { return .bytes(n) }
        if n == 0 { return .closed }
        let err = currentErrno()
        if err == EAGAIN || err == EWOULDBLOCK || err == EINTR { return .wouldBlock }
        return .failed(SocketError(call: "read", errno: err))
    }

    static func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> IOResult {
        // MSG_NOSIGNAL: a peer that went away must give EPIPE, not kill the process with SIGPIPE.
        let n = send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
        if n >= 0 { return .bytes(n) }
        let err = currentErrno()
        if err == EAGAIN || err == EWOULDBLOCK || err == EINTR { return .wouldBlock }
        return .failed(SocketError(call: "send", errno: err))
    }

    /// Stops further sends so the peer sees our FIN after the last response, then lets
    /// the close happen once it has read it (avoids an RST that could drop that response).
    static func shutdownWrite(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// The next byte the peer sent, left in the socket (MSG_PEEK). `.some(nil)`: nothing has
    /// arrived yet; nil: the peer closed or the socket failed.
    static func peekByte(_ fd: Int32) -> UInt8?? {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK))
        if n == 1 { return .some(byte) }
        if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return .some(nil) }
        return nil
    }

    /// Makes the next close send a TCP RST instead of a FIN (SO_LINGER with a zero timeout).
    static func setResetOnClose(_ fd: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// CPUs this process may run on (taskset, cpusets), at least 1.
    static var availableCPUs: Int {
        let count = Int(CFaultlineSystem_available_cpus())
        return count > 0 ? count : max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }
}

/// An epoll set (level-triggered). Each event loop keeps one and waits on it from its own
/// thread, so one wake-up serves every connection that became ready.
struct Epoll {
    let fd: Int32

    static let readable = CFaultlineSystem_EPOLLIN()
    static let writable = CFaultlineSystem_EPOLLOUT()
    static let failed = CFaultlineSystem_EPOLLERRORS()

    static func make() throws -> Epoll {
        let fd = CFaultlineSystem_epoll_create()
        guard fd >= 0 else { throw SocketError.makeFailed("epoll_create1") }
        return Epoll(fd: fd)
    }

    func add(_ socket: Int32, events: UInt32) throws {
        guard CFaultlineSystem_epoll_ctl(fd, CFaultlineSystem_EPOLL_CTL_ADD(), socket, events) == 0 else {
            throw SocketError.makeFailed("epoll_ctl(ADD)")
        }
    }

    func modify(_ socket: Int32, events: UInt32) {
        _ = CFaultlineSystem_epoll_ctl(fd, CFaultlineSystem_EPOLL_CTL_MOD(), socket, events)
    }

    func remove(_ socket: Int32) {
        _ = CFaultlineSystem_epoll_ctl(fd, CFaultlineSystem_EPOLL_CTL_DEL(), socket, 0)
    }

    /// Ready descriptors, waiting up to `timeout` milliseconds (-1: until one is ready); the
    /// count, or 0 (timed out, or interrupted by a signal).
    func wait(fds: UnsafeMutablePointer<Int32>, events: UnsafeMutablePointer<UInt32>, capacity: Int32, timeout: Int32) -> Int {
        let n = CFaultlineSystem_epoll_wait(fd, fds, events, capacity, timeout)
        return n > 0 ? Int(n) : 0
    }
}
#endif
