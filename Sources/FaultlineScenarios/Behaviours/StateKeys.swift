/// Client names as tables key them: a name longer than `maxLength` bytes is kept as its length
/// and a hash (seeded per process), so 16 KB client headers cannot make a table's keys cost
/// gigabytes.
enum ClientName {
    static let maxLength = 128

    static func stored(_ name: String) -> String {
        name.utf8.count <= maxLength ? name : "#\(name.utf8.count):\(name.hashValue)"
    }
}

/// Several strings as one key that no other list of strings produces: each part is written
/// with its length first (`3:abc1:d`). Joining with a separator instead lets a part that
/// contains the separator pose as two parts (a client named `acct\u{1F}k` and key `z`
/// matching client `acct` and key `k\u{1F}z`).
enum CompositeKey {
    static func join<S: Sequence>(_ parts: S) -> String where S.Element == String {
        var key = ""
        for part in parts {
            key += String(part.utf8.count)
            key += ":"
            key += part
        }
        return key
    }
}
