#if canImport(Glibc)
import Glibc

/// Glibc declares accept4 only under _GNU_SOURCE, which the Swift overlay does not set.
/// One call that returns a non-blocking, close-on-exec socket saves two fcntl syscalls per connection.
@_silgen_name("accept4")
private func faultline_accept4(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: UnsafeMutablePointer<socklen_t>?, _ flags: Int32) -> Int32

/// Thin wrappers over the libc socket calls. Every failure names the call and carries `errno`.
enum Socket {
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
            throw SocketError(call: "getaddrinfo(\(host))", errno: status == EAI_SYSTEM ? currentErrno() : EINVAL)
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
        let fd = faultline_accept4(listener, nil, nil, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
        if fd >= 0 { return .accepted(fd) }
        let err = currentErrno()
        if err == EAGAIN || err == EWOULDBLOCK { return .wouldBlock }
        return .failed(SocketError(call: "accept4", errno: err))
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

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}
#endif
