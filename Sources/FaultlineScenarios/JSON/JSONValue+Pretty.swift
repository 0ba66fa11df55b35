extension JSONValue {
    /// Two-space indented text with a final newline, keys in order: how written scenario files
    /// look (`faultline record`). Empty arrays and objects stay on one line.
    public var prettyPrinted: String {
        var out: [UInt8] = []
        writePretty(into: &out, depth: 0)
        out.append(UInt8(ascii: "\n"))
        return String(decoding: out, as: UTF8.self)
    }

    private func writePretty(into out: inout [UInt8], depth: Int) {
        switch self {
        case .array(let items) where !items.isEmpty:
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                out.append(contentsOf: index == 0 ? [UInt8(ascii: "\n")] : [UInt8(ascii: ","), UInt8(ascii: "\n")])
                Self.indent(&out, depth + 1)
                item.writePretty(into: &out, depth: depth + 1)
            }
            out.append(UInt8(ascii: "\n"))
            Self.indent(&out, depth)
            out.append(UInt8(ascii: "]"))
        case .object(let members) where !members.isEmpty:
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                out.append(contentsOf: index == 0 ? [UInt8(ascii: "\n")] : [UInt8(ascii: ","), UInt8(ascii: "\n")])
                Self.indent(&out, depth + 1)
                Self.appendQuoted(member.key, to: &out)
                out.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
                member.value.writePretty(into: &out, depth: depth + 1)
            }
            out.append(UInt8(ascii: "\n"))
            Self.indent(&out, depth)
            out.append(UInt8(ascii: "}"))
        default:
            serialize(into: &out)
        }
    }

    private static func indent(_ out: inout [UInt8], _ depth: Int) {
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
    }
}

extension JSONValue {
    /// An object's members; nil for anything else.
    public var objectMembers: [JSONMember]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// An array's items; nil for anything else.
    public var arrayItems: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
