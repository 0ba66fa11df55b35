import FaultlineHTTP

/// Recorded paths as endpoint paths: segments that look like ids become `{param}`s, named after
/// the collection before them (`/users/42/orders/9f1c…` → `/users/{user_id}/orders/{order_id}`).
/// An id is a number, a UUID, a long hex string or a long opaque token, or any segment with a
/// digit in it that varies across recordings of otherwise the same path (`/users/u_1001` and
/// `/users/u_1002`); words stay literal.
enum RecordedPaths {
    /// The endpoint path for one recorded path.
    static func template(_ path: Substring) -> String {
        templates([(method: "", path: path)])[0]
    }

    /// The path as the router reads it: one trailing `/` ignored (`/users/` is `/users`).
    static func normalized(_ path: Substring) -> Substring {
        path.count > 1 && path.hasSuffix("/") ? path.dropLast() : path
    }

    /// The endpoint path for each recorded request, variation across them considered.
    static func templates(_ requests: [(method: String, path: Substring)]) -> [String] {
        // Each distinct request once: a long recording repeats most of its requests.
        var uniques: [(method: String, path: Substring)] = []
        var indexOf: [String: Int] = [:]
        let positions = requests.map { request -> Int in
            let path = normalized(request.path)
            let key = request.method + " " + path
            if let index = indexOf[key] { return index }
            indexOf[key] = uniques.count
            uniques.append((request.method, path))
            return uniques.count - 1
        }
        let segments = uniques.map { Array($0.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()) }
        var isParameter = segments.map { $0.map(looksLikeID) }
        // A segment with a digit is an id too when its value differs between recordings that
        // agree everywhere else, or when another recording that agrees everywhere else has a
        // parameter there. Each pass may reveal more (two varying ids in one path).
        var changed = true
        while changed {
            /// The path with segment `i` left out: recordings with the same key agree elsewhere.
            func key(_ k: Int, _ i: Int) -> String {
                let shape = segments[k].indices.map { j in j == i ? "*" : (isParameter[k][j] ? "{}" : String(segments[k][j])) }
                return uniques[k].method + " " + shape.joined(separator: "/")
            }
            func candidate(_ k: Int, _ i: Int) -> Bool { !isParameter[k][i] && segments[k][i].contains(where: \.isNumber) }
            var values: [String: Set<Substring>] = [:]
            var parameterKeys: Set<String> = []
            for k in segments.indices {
                for i in segments[k].indices {
                    if candidate(k, i) { values[key(k, i), default: []].insert(segments[k][i]) }
                    if isParameter[k][i] { parameterKeys.insert(key(k, i)) }
                }
            }
            // Marked after all are looked up: a mark changes the keys of the path's other segments.
            var marks: [(Int, Int)] = []
            for k in segments.indices {
                for i in segments[k].indices where candidate(k, i) {
                    let here = key(k, i)
                    if values[here]!.count > 1 || parameterKeys.contains(here) { marks.append((k, i)) }
                }
            }
            for (k, i) in marks { isParameter[k][i] = true }
            changed = !marks.isEmpty
        }
        let rendered = segments.indices.map { render(segments[$0], isParameter[$0]) }
        return positions.map { rendered[$0] }
    }

    private static func render(_ segments: [Substring], _ isParameter: [Bool]) -> String {
        guard !(segments.count == 1 && segments[0].isEmpty) else { return "/" }
        var names: Set<String> = []
        var out: [String] = []
        var previousLiteral: Substring?
        for (segment, parameter) in zip(segments, isParameter) {
            if parameter {
                let base = previousLiteral.map { singular(identifier($0)) + "_id" } ?? "id"
                var name = base
                var counter = 2
                while names.contains(name) {
                    name = base + "\(counter)"
                    counter += 1
                }
                names.insert(name)
                out.append("{\(name)}")
                previousLiteral = nil
            } else {
                out.append(escaped(segment))
                previousLiteral = segment
            }
        }
        return "/" + out.joined(separator: "/")
    }

    /// The values `path` gives the `{param}`s of `template` (made from it by `template(_:)`).
    static func parameters(of template: String, in path: Substring) -> [(name: String, value: String)] {
        let names = template.split(separator: "/", omittingEmptySubsequences: false)
        let values = normalized(path).split(separator: "/", omittingEmptySubsequences: false)
        guard names.count == values.count else { return [] }
        return zip(names, values).compactMap { name, value in
            name.hasPrefix("{") && name.hasSuffix("}") ? (String(name.dropFirst().dropLast()), String(value)) : nil
        }
    }

    /// Numbers, UUIDs, long hex strings and opaque tokens (16 or more letters and digits with
    /// at least one digit, like `trk_9f1c2b…` or an order number); words stay literal.
    static func looksLikeID(_ segment: Substring) -> Bool {
        let bytes = Array(segment.utf8)
        guard !bytes.isEmpty else { return false }
        let digits = bytes.filter { $0 >= 0x30 && $0 <= 0x39 }.count
        if digits == bytes.count { return true }
        if bytes.count == 36, isUUID(bytes) { return true }
        let hex = bytes.allSatisfy { PercentDecoding.hexValue($0) != nil }
        if hex, bytes.count >= 16, digits > 0 { return true }
        let token = bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
        return token && bytes.count >= 16 && digits > 0
    }

    private static func isUUID(_ bytes: [UInt8]) -> Bool {
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard PercentDecoding.hexValue(byte) != nil else { return false }
            }
        }
        return true
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A)
    }

    /// A parameter name from a collection's segment: letters, digits and `_`, not starting with a digit.
    private static func identifier(_ segment: Substring) -> String {
        var name = String(segment.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        if name.first?.isNumber ?? true { name = "p" + name }
        return name
    }

    private static func singular(_ name: String) -> String {
        if name.hasSuffix("ies"), name.count > 3 { return String(name.dropLast(3)) + "y" }
        if name.hasSuffix("ses") || name.hasSuffix("xes") { return String(name.dropLast(2)) }
        if name.hasSuffix("s"), !name.hasSuffix("ss"), name.count > 1 { return String(name.dropLast()) }
        return name
    }

    /// A literal segment as the path pattern allows it: bytes outside RFC 3986's `pchar` are
    /// percent-encoded (a request's path normally is already).
    private static func escaped(_ segment: Substring) -> String {
        PercentEncoding.encode(String(segment), keeping: PercentEncoding.unreserved + "!$&'()*+,;=:@%")
    }
}
