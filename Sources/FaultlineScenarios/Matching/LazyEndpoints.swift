import Synchronization

/// A vendor's endpoints, each compiled the first time a request (or a listing) reaches it.
///
/// A catalog of thousands of endpoints is mostly endpoints a test run never calls; compiling
/// them all at start-up cost most of the start-up time and memory of a large file. The
/// validator has already accepted every endpoint, so compiling cannot fail and may happen at
/// any time. Each slot is an atomic word holding a retained reference (0 until compiled): two
/// event loops that reach a new endpoint at once may both compile it, the first one stored
/// wins, and every later read is one acquiring load. (The standard `AtomicLazyReference` does
/// the same but is generic across the module boundary: about 600 instructions a load.)
final class LazyEndpoints: RandomAccessCollection, @unchecked Sendable {
    // @unchecked: `slots` is written only through the atomics it points to, and only freed in
    // deinit.
    let count: Int
    private let slots: UnsafeMutablePointer<Atomic<Int>>
    private let compile: @Sendable (Int) -> CompiledEndpoint

    init(count: Int, compile: @escaping @Sendable (Int) -> CompiledEndpoint) {
        self.count = count
        self.compile = compile
        slots = .allocate(capacity: Swift.max(count, 1))
        for i in 0..<count { (slots + i).initialize(to: Atomic(0)) }
    }

    deinit {
        for i in 0..<count {
            let bits = slots[i].load(ordering: .relaxed)
            if bits != 0 { Unmanaged<CompiledEndpoint>.fromOpaque(UnsafeRawPointer(bitPattern: bits)!).release() }
        }
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    @inline(__always)
    subscript(index: Int) -> CompiledEndpoint {
        precondition(index >= 0 && index < count, "endpoint index out of range")
        let bits = slots[index].load(ordering: .acquiring)
        if bits != 0 { return Unmanaged<CompiledEndpoint>.fromOpaque(UnsafeRawPointer(bitPattern: bits)!).takeUnretainedValue() }
        return store(compile(index), at: index)
    }

    private func store(_ endpoint: CompiledEndpoint, at index: Int) -> CompiledEndpoint {
        let retained = Unmanaged.passRetained(endpoint)
        let bits = Int(bitPattern: retained.toOpaque())
        let (stored, found) = slots[index].compareExchange(expected: 0, desired: bits, ordering: .acquiringAndReleasing)
        if stored { return endpoint }
        // Another loop stored its copy first: use that one, so every reader sees one object.
        retained.release()
        return Unmanaged<CompiledEndpoint>.fromOpaque(UnsafeRawPointer(bitPattern: found)!).takeUnretainedValue()
    }

    /// How many endpoints have been compiled so far (for tests and listings of the cost).
    var compiledCount: Int {
        (0..<count).reduce(0) { $0 + (slots[$1].load(ordering: .acquiring) == 0 ? 0 : 1) }
    }
}
