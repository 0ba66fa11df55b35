/// A problem found in a scenario file, described in words.
struct SpecError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// A path such as `/trackings/{slug}/{tracking_number}`: literal segments and whole-segment parameters.
struct PathTemplate: Sendable, Equatable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    var segments: [Segment]

    var parameterNames: [String] {
        segments.compactMap { if case .parameter(let name) = $0 { name } else { nil } }
    }

    /// The literals with every parameter as `{}`: two endpoints of one method with the same shape clash.
    var shape: String {
        "/" + segments.map { if case .literal(let s) = $0 { s } else { "{}" } }.joined(separator: "/")
    }

    /// `allowEmpty` lets a base path be "" (endpoints at the mount point itself).
    static func parse(_ text: String, allowEmpty: Bool) -> Result<PathTemplate, SpecError> {
        if text.isEmpty {
            return allowEmpty ? .success(PathTemplate(segments: [])) : .failure(SpecError("a path may not be empty; use \"/\""))
        }
        guard text.hasPrefix("/") else { return .failure(SpecError("path '\(text)' must start with '/'")) }
        if text == "/" { return allowEmpty ? .failure(SpecError("write the root base path as \"\" (empty), not \"/\"")) : .success(PathTemplate(segments: [])) }
        guard !text.hasSuffix("/") else { return .failure(SpecError("path '\(text)' must not end with '/'")) }
        // Over the bytes in place: a vendor of thousands of endpoints parses as many paths at start-up.
        var text = text
        return text.withUTF8 { bytes in
            var segments: [Segment] = []
            segments.reserveCapacity(bytes.count { $0 == UInt8(ascii: "/") })
            var start = 1
            while start <= bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "/") { end += 1 }
                let part = UnsafeBufferPointer(rebasing: bytes[start..<end])
                start = end + 1
                guard !part.isEmpty else { return .failure(SpecError("path '\(String(decoding: bytes, as: UTF8.self))' has an empty segment")) }
                if part.first == UInt8(ascii: "{") && part.last == UInt8(ascii: "}") && part.count > 2 {
                    let name = String(decoding: UnsafeBufferPointer(rebasing: part.dropFirst().dropLast()), as: UTF8.self)
                    guard isParameterName(name) else {
                        return .failure(SpecError("'\(name)' in '\(String(decoding: bytes, as: UTF8.self))' is not a valid parameter name (letters, digits and '_', not starting with a digit)"))
                    }
                    segments.append(.parameter(name))
                } else {
                    let segment = String(decoding: part, as: UTF8.self)
                    guard !part.contains(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "}") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") || $0 == UInt8(ascii: " ") }) else {
                        return .failure(SpecError("segment '\(segment)' of '\(String(decoding: bytes, as: UTF8.self))' is neither a literal nor a whole {parameter}"))
                    }
                    segments.append(.literal(segment))
                }
            }
            return .success(PathTemplate(segments: segments))
        }
    }

    static func isParameterName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return false }
        return name.utf8.allSatisfy { $0.isLowerAlnum || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || $0 == UInt8(ascii: "_") }
    }
}
