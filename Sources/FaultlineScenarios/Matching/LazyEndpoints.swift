import Synchronization

/// A vendor's endpoints, each compiled the first time a request (or a listing) reaches it.
///
/// A catalog of thousands of endpoints is mostly endpoints a test run never calls; compiling
/// them all at start-up cost most of the start-up time and memory of a large file. The
/// validator has already accepted every endpoint, so compiling cannot fail and may happen at
/// any time. Each slot is an atomic lazy reference: two event loops that reach a new endpoint
/// at once may both compile it, the first one stored wins, and every later read is one
/// acquiring load.
final class LazyEndpoints: RandomAccessCollection, @unchecked Sendable {
    // @unchecked: `slots` is written only through the atomics it points to, and only freed in
    // deinit.
    let count: Int
    private let slots: UnsafeMutablePointer<AtomicLazyReference<CompiledEndpoint>>
    private let compile: @Sendable (Int) -> CompiledEndpoint

    init(count: Int, compile: @escaping @Sendable (Int) -> CompiledEndpoint) {
        self.count = count
        self.compile = compile
        slots = .allocate(capacity: Swift.max(count, 1))
        for i in 0..<count { (slots + i).initialize(to: AtomicLazyReference()) }
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    @inline(__always)
    subscript(index: Int) -> CompiledEndpoint {
        precondition(index >= 0 && index < count, "endpoint index out of range")
        if let endpoint = slots[index].load() { return endpoint }
        return slots[index].storeIfNil(compile(index))
    }

    /// How many endpoints have been compiled so far (for tests and listings of the cost).
    var compiledCount: Int {
        (0..<count).reduce(0) { $0 + (slots[$1].load() == nil ? 0 : 1) }
    }
}
