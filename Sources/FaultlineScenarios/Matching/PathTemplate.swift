/// A problem found in a scenario file, described in words.
package struct SpecError: Error, CustomStringConvertible {
    package let message: String
    init(_ message: String) { self.message = message }
    package var description: String { message }
}

/// A path such as `/trackings/{slug}/{tracking_number}`: literal segments and whole-segment parameters.
package struct PathTemplate: Sendable, Equatable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    var segments: [Segment]

    package var parameterNames: [String] {
        segments.compactMap { if case .parameter(let name) = $0 { name } else { nil } }
    }

    /// The literals with every parameter as `{}`: two endpoints of one method with the same shape clash.
    package var shape: String {
        "/" + segments.map { if case .literal(let s) = $0 { s } else { "{}" } }.joined(separator: "/")
    }

    /// `allowEmpty` lets a base path be "" (endpoints at the mount point itself).
    package static func parse(_ text: String, allowEmpty: Bool) -> Result<PathTemplate, SpecError> {
        // Over the bytes in place: a vendor of thousands of endpoints parses as many paths at
        // start-up, and each `String` operation here costs more than the whole byte loop.
        var text = text
        return text.withUTF8 { bytes in
            if bytes.isEmpty {
                return allowEmpty ? .success(PathTemplate(segments: [])) : .failure(SpecError("a path may not be empty; use \"/\""))
            }
            func whole() -> String { String(decoding: bytes, as: UTF8.self) }
            guard bytes[0] == UInt8(ascii: "/") else { return .failure(SpecError("path '\(whole())' must start with '/'")) }
            if bytes.count == 1 { return allowEmpty ? .failure(SpecError("write the root base path as \"\" (empty), not \"/\"")) : .success(PathTemplate(segments: [])) }
            guard bytes[bytes.count - 1] != UInt8(ascii: "/") else { return .failure(SpecError("path '\(whole())' must not end with '/'")) }
            var slashes = 0
            for byte in bytes where byte == UInt8(ascii: "/") { slashes += 1 }
            var segments: [Segment] = []
            segments.reserveCapacity(slashes)
            var start = 1
            while start <= bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "/") { end += 1 }
                let part = UnsafeBufferPointer(rebasing: bytes[start..<end])
                start = end + 1
                guard !part.isEmpty else { return .failure(SpecError("path '\(whole())' has an empty segment")) }
                if part[0] == UInt8(ascii: "{") && part[part.count - 1] == UInt8(ascii: "}") && part.count > 2 {
                    let name = UnsafeBufferPointer(rebasing: part[1..<(part.count - 1)])
                    guard isParameterName(name) else {
                        return .failure(SpecError("'\(String(decoding: name, as: UTF8.self))' in '\(whole())' is not a valid parameter name (letters, digits and '_', not starting with a digit)"))
                    }
                    segments.append(.parameter(String(decoding: name, as: UTF8.self)))
                } else {
                    for byte in part where byte == UInt8(ascii: "{") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#") || byte == UInt8(ascii: " ") {
                        return .failure(SpecError("segment '\(String(decoding: part, as: UTF8.self))' of '\(whole())' is neither a literal nor a whole {parameter}"))
                    }
                    segments.append(.literal(String(decoding: part, as: UTF8.self)))
                }
            }
            return .success(PathTemplate(segments: segments))
        }
    }

    static func isParameterName(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = name.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return false }
        return name.allSatisfy { $0.isLowerAlnum || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || $0 == UInt8(ascii: "_") }
    }
}
