/// `500,500,default` or `429*3,default`: one scenario per call, the last repeating for ever.
struct ScenarioSequence: Sendable, Equatable {
    static let maxSteps = 10_000

    let steps: [String]

    static func isSequence(_ text: String) -> Bool {
        text.utf8.contains(UInt8(ascii: ",")) || text.utf8.contains(UInt8(ascii: "*"))
    }

    init?(parsing text: String) {
        var steps: [String] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = part.trimmingWhitespace()
            var name = Substring(item)
            var count = 1
            if let star = item.firstIndex(of: "*") {
                name = item[..<star]
                guard let n = Int(item[item.index(after: star)...]), n >= 1, n <= Self.maxSteps else { return nil }
                count = n
            }
            guard !name.isEmpty, steps.count + count <= Self.maxSteps else { return nil }
            steps.append(contentsOf: repeatElement(String(name), count: count))
        }
        guard !steps.isEmpty else { return nil }
        self.steps = steps
    }

    /// The scenario for the call at `position` (0-based).
    func step(_ position: Int) -> String {
        steps[min(position, steps.count - 1)]
    }
}
