/// Thompson's construction: a parsed pattern as a program of character tests, splits and
/// jumps. Repetitions `{n,m}` are written out, so the program's size is checked as it grows.
struct RegexCompiler {
    var program: [LinearRegex.Instruction] = []
    /// Nodes written out so far: a repetition of something that writes no instruction
    /// (`(?:){1000}` nested five deep) must still meet a limit.
    private var emitted = 0

    private var next: Int32 { Int32(program.count) }

    private mutating func append(_ instruction: LinearRegex.Instruction) throws(RegexSyntaxError) {
        guard program.count < LinearRegex.maxInstructions else {
            throw RegexSyntaxError(message: "the pattern is too large: over \(LinearRegex.maxInstructions) steps once its repetitions are written out", offset: 0)
        }
        program.append(instruction)
    }

    mutating func emit(_ node: RegexNode) throws(RegexSyntaxError) {
        emitted += 1
        guard emitted <= 8 * LinearRegex.maxInstructions else {
            throw RegexSyntaxError(message: "the pattern is too large: over \(LinearRegex.maxInstructions) steps once its repetitions are written out", offset: 0)
        }
        switch node {
        case .empty:
            return
        case .set(let set):
            try append(.scalar(set))
        case .assertion(let assertion):
            try append(.assertion(assertion))
        case .concatenation(let items):
            for item in items { try emit(item) }
        case .alternation(let branches):
            // split L1, next; L1: a; jump end; next: split L2, ...; last branch falls through.
            var jumps: [Int] = []
            for (i, branch) in branches.enumerated() {
                if i < branches.count - 1 {
                    let split = program.count
                    try append(.split(next + 1, 0))
                    try emit(branch)
                    jumps.append(program.count)
                    try append(.jump(0))
                    program[split] = .split(Int32(split + 1), next)
                } else {
                    try emit(branch)
                }
            }
            for jump in jumps { program[jump] = .jump(next) }
        case .repetition(let body, let min, let max):
            for _ in 0..<min { try emit(body) }
            if let max {
                // x{0,3} as (x(x(x)?)?)?: each optional copy may end the repetition.
                var exits: [Int] = []
                for _ in min..<max {
                    exits.append(program.count)
                    try append(.split(next + 1, 0))
                    try emit(body)
                }
                for exit in exits { program[exit] = .split(Int32(exit + 1), next) }
            } else {
                // L: split body, end; body; jump L.
                let loop = program.count
                try append(.split(next + 1, 0))
                try emit(body)
                try append(.jump(Int32(loop)))
                program[loop] = .split(Int32(loop + 1), next)
            }
        }
    }
}
