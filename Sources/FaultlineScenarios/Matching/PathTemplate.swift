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
        var segments: [Segment] = []
        for part in text.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            guard !part.isEmpty else { return .failure(SpecError("path '\(text)' has an empty segment")) }
            let segment = String(Substring(part))
            if part.first == UInt8(ascii: "{") && part.last == UInt8(ascii: "}") && part.count > 2 {
                let name = String(Substring(part.dropFirst().dropLast()))
                guard isParameterName(name) else {
                    return .failure(SpecError("'\(name)' in '\(text)' is not a valid parameter name (letters, digits and '_', not starting with a digit)"))
                }
                segments.append(.parameter(name))
            } else {
                guard !part.contains(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "}") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") || $0 == UInt8(ascii: " ") }) else {
                    return .failure(SpecError("segment '\(segment)' of '\(text)' is neither a literal nor a whole {parameter}"))
                }
                segments.append(.literal(segment))
            }
        }
        return .success(PathTemplate(segments: segments))
    }

    static func isParameterName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return false }
        return name.utf8.allSatisfy { $0.isLowerAlnum || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || $0 == UInt8(ascii: "_") }
    }
}
