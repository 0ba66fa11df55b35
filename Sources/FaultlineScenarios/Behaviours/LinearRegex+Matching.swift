/// Runs a `LinearRegex` over a text: every automaton state at once, one character at a time
/// (no backtracking, so no input can make it slow). A "kernel" is the set of program points
/// reached by the characters read so far; its closure (splits, jumps and assertions followed,
/// plus a fresh start, since a match may begin anywhere) is what the next character is tested
/// against. For longer texts the kernels become states of a deterministic automaton built as
/// they are met, with a table of ASCII transitions, so most characters cost one lookup.
struct RegexMatcher {
    /// Texts this long or longer (in UTF-8 bytes) use the state cache.
    static let cachedFrom = 64
    /// Cached states at most per match; past it the cache starts again (the run stays linear).
    static let maxCachedStates = 256

    private let program: [LinearRegex.Instruction]
    private let usesWordBoundaries: Bool
    private var marks: [UInt32]
    private var generation: UInt32 = 0
    private var stack: [Int32] = []
    private var consuming: [Int32] = []
    /// Automaton steps left; the search gives up (no match) when it runs out.
    private(set) var budget: Int

    init(_ regex: LinearRegex, budget: Int = .max) {
        self.budget = budget
        program = regex.program
        usesWordBoundaries = regex.usesWordBoundaries
        marks = Array(repeating: 0, count: regex.program.count)
    }

    private struct Position {
        var atStart: Bool
        var atEnd: Bool
        var previousIsWord: Bool
        var nextIsWord: Bool
    }

    mutating func search(_ text: String) -> Bool {
        text.utf8.count >= Self.cachedFrom ? searchCached(text) : searchDirect(text)
    }

    mutating func searchDirect(_ text: String) -> Bool {
        var kernel: [Int32] = []
        var previousIsWord = false
        var atStart = true
        for scalar in text.unicodeScalars {
            let c = scalar.value
            if closure(kernel, Position(atStart: atStart, atEnd: false, previousIsWord: previousIsWord, nextIsWord: ScalarSet.isWord(c))) { return true }
            if budget < 0 { return false }
            kernel = step(c)
            previousIsWord = ScalarSet.isWord(c)
            atStart = false
        }
        return closure(kernel, Position(atStart: atStart, atEnd: true, previousIsWord: previousIsWord, nextIsWord: false))
    }

    // MARK: Cached states

    private struct StateKey: Hashable {
        let kernel: [Int32]
        let previousIsWord: Bool
        let atStart: Bool
    }

    private struct Cache {
        var ids: [StateKey: Int32] = [:]
        var keys: [StateKey] = []
        /// 128 entries per state: the next state after that ASCII character, `unknown`, or
        /// `matched` (the pattern matches before the character).
        var table: [Int32] = []
        static let unknown: Int32 = -1
        static let matched: Int32 = -2

        mutating func state(_ key: StateKey) -> Int32 {
            if let id = ids[key] { return id }
            let id = Int32(keys.count)
            ids[key] = id
            keys.append(key)
            table.append(contentsOf: repeatElement(Self.unknown, count: 128))
            return id
        }
    }

    mutating func searchCached(_ text: String) -> Bool {
        var cache = Cache()
        var state = cache.state(StateKey(kernel: [], previousIsWord: false, atStart: true))
        for scalar in text.unicodeScalars {
            let c = scalar.value
            if c < 128 {
                let known = cache.table[Int(state) &* 128 &+ Int(c)]
                if known == Cache.matched { return true }
                if known >= 0 {
                    state = known
                    continue
                }
            }
            let key = cache.keys[Int(state)]
            if closure(key.kernel, Position(atStart: key.atStart, atEnd: false, previousIsWord: key.previousIsWord, nextIsWord: ScalarSet.isWord(c))) {
                if c < 128 { cache.table[Int(state) &* 128 &+ Int(c)] = Cache.matched }
                return true
            }
            if budget < 0 { return false }
            let nextKey = StateKey(kernel: step(c), previousIsWord: usesWordBoundaries && ScalarSet.isWord(c), atStart: false)
            if cache.keys.count >= Self.maxCachedStates && cache.ids[nextKey] == nil {
                cache = Cache()
                state = cache.state(nextKey)
                continue
            }
            let next = cache.state(nextKey)
            if c < 128 { cache.table[Int(state) &* 128 &+ Int(c)] = next }
            state = next
        }
        let key = cache.keys[Int(state)]
        return closure(key.kernel, Position(atStart: key.atStart, atEnd: true, previousIsWord: key.previousIsWord, nextIsWord: false))
    }

    // MARK: The automaton

    /// Follows splits, jumps and assertions from the kernel and from the start; leaves the
    /// character tests reached in `consuming`. True when the match instruction is reached.
    private mutating func closure(_ kernel: [Int32], _ position: Position) -> Bool {
        generation &+= 1
        if generation == 0 {
            for i in marks.indices { marks[i] = 0 }
            generation = 1
        }
        consuming.removeAll(keepingCapacity: true)
        stack.removeAll(keepingCapacity: true)
        stack.append(contentsOf: kernel)
        stack.append(0)
        var matched = false
        while let pc = stack.popLast() {
            budget -= 1
            let i = Int(pc)
            if marks[i] == generation { continue }
            marks[i] = generation
            switch program[i] {
            case .scalar:
                consuming.append(pc)
            case .split(let a, let b):
                stack.append(b)
                stack.append(a)
            case .jump(let target):
                stack.append(target)
            case .assertion(let assertion):
                if holds(assertion, position) { stack.append(pc + 1) }
            case .match:
                matched = true
            }
        }
        return matched
    }

    /// The kernel after `c`, sorted (it names a cached state).
    private func step(_ c: UInt32) -> [Int32] {
        var next: [Int32] = []
        for pc in consuming {
            if case .scalar(let set) = program[Int(pc)], set.contains(c) { next.append(pc + 1) }
        }
        next.sort()
        return next
    }

    private func holds(_ assertion: LinearRegex.Assertion, _ position: Position) -> Bool {
        switch assertion {
        case .start: position.atStart
        case .end: position.atEnd
        case .wordBoundary: position.previousIsWord != position.nextIsWord
        case .notWordBoundary: position.previousIsWord == position.nextIsWord
        }
    }
}
