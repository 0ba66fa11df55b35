/// The actions an event loop runs at a later time (held responses, slow bodies), in deadline
/// order; equal deadlines run in the order they were scheduled. A binary min-heap: adding and
/// taking the next are O(log n), and the loop asks only for the earliest deadline between waits.
/// Confined to its loop's thread.
struct LoopTimers {
    private struct Entry {
        let deadline: UInt64
        let order: UInt64
        let action: () -> Void

        @inline(__always)
        func precedes(_ other: Entry) -> Bool {
            deadline != other.deadline ? deadline < other.deadline : order < other.order
        }
    }

    private var heap: [Entry] = []
    private var scheduled: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    /// The earliest deadline (monotonic nanoseconds), or nil when nothing is scheduled.
    var nextDeadline: UInt64? { heap.first?.deadline }

    mutating func schedule(at deadline: UInt64, _ action: @escaping () -> Void) {
        scheduled &+= 1
        heap.append(Entry(deadline: deadline, order: scheduled, action: action))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest action if its deadline is at or before `now`.
    mutating func takeDue(now: UInt64) -> (() -> Void)? {
        guard let first = heap.first, first.deadline <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { break }
                var smallest = left
                if left + 1 < heap.count, heap[left + 1].precedes(heap[left]) { smallest = left + 1 }
                guard heap[smallest].precedes(heap[parent]) else { break }
                heap.swapAt(smallest, parent)
                parent = smallest
            }
        }
        return first.action
    }
}
