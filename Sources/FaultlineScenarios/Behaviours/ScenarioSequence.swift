/// `500,500,default` or `429*3,default`: one scenario per call, the last repeating for ever.
/// Kept as runs (`429` three times), so `a*10000` costs one entry, not ten thousand.
struct ScenarioSequence: Sendable, Equatable {
    static let maxSteps = 10_000

    private(set) var runs: [(name: String, count: Int)] = []
    let count: Int

    static func isSequence(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { $0.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "*") } }
    }

    init?(parsing text: String) {
        var total = 0
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = part.trimmingWhitespace()
            var name = Substring(item)
            var count = 1
            if let star = item.firstIndex(of: "*") {
                name = item[..<star]
                guard let n = Int(item[item.index(after: star)...]), n >= 1, n <= Self.maxSteps else { return nil }
                count = n
            }
            guard !name.isEmpty, total + count <= Self.maxSteps else { return nil }
            total += count
            runs.append((String(name), count))
        }
        guard total > 0 else { return nil }
        count = total
    }

    /// Every step written out, for tests and listings.
    var steps: [String] { runs.flatMap { repeatElement($0.name, count: $0.count) } }

    /// The scenario for the call at `position` (0-based).
    func step(_ position: Int) -> String {
        var remaining = position
        for run in runs {
            if remaining < run.count { return run.name }
            remaining -= run.count
        }
        return runs[runs.count - 1].name
    }

    static func == (a: ScenarioSequence, b: ScenarioSequence) -> Bool {
        a.count == b.count && a.runs.elementsEqual(b.runs) { $0.name == $1.name && $0.count == $1.count }
    }
}
