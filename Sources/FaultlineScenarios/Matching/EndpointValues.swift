/// One value per endpoint, each distinct value stored once: most endpoints of a vendor share
/// their rate-limit group, idempotency rule and (empty) validator, and an array of ten
/// thousand copies costs ten thousand times its stride. Four bytes an endpoint when values
/// differ, nothing when all are the same.
struct EndpointValues<Value: Sendable>: Sendable {
    private let distinct: [Value]
    /// Index into `distinct` per endpoint; empty when there is at most one distinct value.
    private let which: [UInt32]

    /// Endpoints whose `key` is equal share the `value` made for the first of them.
    init<Key: Hashable>(count: Int, key: (Int) -> Key, value: (Int) -> Value) {
        var seen: [Key: UInt32] = [:]
        var distinct: [Value] = []
        var which: [UInt32] = []
        which.reserveCapacity(count)
        for i in 0..<count {
            let k = key(i)
            if let known = seen[k] {
                which.append(known)
            } else {
                seen[k] = UInt32(distinct.count)
                which.append(UInt32(distinct.count))
                distinct.append(value(i))
            }
        }
        self.distinct = distinct
        self.which = distinct.count <= 1 ? [] : which
    }

    @inline(__always)
    subscript(endpoint: Int) -> Value {
        distinct[which.isEmpty ? 0 : Int(which[endpoint])]
    }
}
