/// Names (scenarios, sequences, catalog entries) to values, found case-insensitively without
/// making a lowercased `String`: an ASCII name is folded as it is hashed and compared. A
/// request that names a scenario looks it up twice (a declared sequence, then the endpoint's
/// answer), and `lowercased()` with a `Dictionary` probe cost ~460 instructions for the first
/// alone (callgrind). A name with any non-ASCII byte is lowercased as before; when that leaves
/// it non-ASCII it is kept in a `Dictionary`, whose `String` keys compare by canonical
/// equivalence (a precomposed `é` finds a decomposed one), as the old tables did.
struct NameTable<Value: Sendable>: Sendable {
    private var table = LiteralTable()
    private var unicode: [String: Int32] = [:]
    private var values: [Value] = []

    init() {}

    /// Each key folded; a later duplicate of a folded key replaces the earlier one's value.
    init<S: Sequence>(_ pairs: S) where S.Element == (String, Value) {
        for (key, value) in pairs { self[key] = value }
    }

    var isEmpty: Bool { values.isEmpty }
    var count: Int { values.count }

    subscript(name: String) -> Value? {
        get {
            guard let index = index(of: name) else { return nil }
            return values[Int(index)]
        }
        set {
            guard let newValue else { preconditionFailure("NameTable does not remove names") }
            if let index = index(of: name) {
                values[Int(index)] = newValue
                return
            }
            let index = Int32(values.count)
            values.append(newValue)
            var key = Self.isASCII(name) ? name : name.lowercased()
            guard Self.isASCII(key) else {
                unicode[key] = index
                return
            }
            key.withUTF8 { bytes in table.insert(bytes.map(FNV1a.foldASCII), index) }
        }
    }

    private func index(of name: String) -> Int32? {
        var name = name
        let ascii: Int32?? = name.withUTF8 { bytes in
            for byte in bytes where byte >= 0x80 { return .none }
            return .some(table.value(foldingASCII: bytes))
        }
        if let ascii { return ascii }
        var lower = name.lowercased()
        guard Self.isASCII(lower) else { return unicode[lower] }
        return lower.withUTF8 { table.value(foldingASCII: $0) }
    }

    private static func isASCII(_ name: String) -> Bool {
        name.utf8.allSatisfy { $0 < 0x80 }
    }
}
