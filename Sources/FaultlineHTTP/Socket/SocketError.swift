#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed libc call: which call, and the `errno` it left, captured at once.
public struct SocketError: Error, CustomStringConvertible, Sendable {
    public let call: String
    public let errno: Int32

    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// Builds the error from the current thread's `errno`; call it right after the failing call.
    static func makeFailed(_ call: String) -> SocketError {
        SocketError(call: call, errno: currentErrno())
    }

    public var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

@inline(__always)
func currentErrno() -> Int32 {
    #if canImport(Glibc) || canImport(Musl)
    return Glibc.errno
    #else
    return Darwin.errno
    #endif
}
