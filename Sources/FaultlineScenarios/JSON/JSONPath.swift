/// JSONPath-style locations for messages: `$.endpoints[2].response.status`, `$.errors["4003"]`.
public enum JSONPath {
    public static func child(_ path: String, _ key: String) -> String {
        var key = key
        let simple = key.withUTF8 { bytes in
            guard let first = bytes.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return false }
            for b in bytes {
                guard (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || b == UInt8(ascii: "_") || b == UInt8(ascii: "$")
                    || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) else { return false }
            }
            return true
        }
        if simple { return joined(path, ".", key, "") }
        var escaped: [UInt8] = []
        JSONValue.appendQuoted(key, to: &escaped)
        return joined(path, "[", String(decoding: escaped, as: UTF8.self), "]")
    }

    public static func index(_ path: String, _ i: Int) -> String { joined(path, "[", String(i), "]") }

    /// The parts written once into a string of the right size: paths are made for every value
    /// of a file, thousands at start-up, and interpolation costs several times more.
    private static func joined(_ path: String, _ open: StaticString, _ key: String, _ close: StaticString) -> String {
        var path = path, key = key
        return path.withUTF8 { head in
            key.withUTF8 { tail in
                let count = head.count + open.utf8CodeUnitCount + tail.count + close.utf8CodeUnitCount
                return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { buffer in
                    var at = 0
                    func put(_ part: UnsafeBufferPointer<UInt8>) {
                        guard part.count > 0 else { return }
                        UnsafeMutableBufferPointer(rebasing: buffer[at...]).baseAddress!.update(from: part.baseAddress!, count: part.count)
                        at += part.count
                    }
                    put(head)
                    put(UnsafeBufferPointer(start: open.utf8Start, count: open.utf8CodeUnitCount))
                    put(tail)
                    put(UnsafeBufferPointer(start: close.utf8Start, count: close.utf8CodeUnitCount))
                    return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
                }
            }
        }
    }
}
