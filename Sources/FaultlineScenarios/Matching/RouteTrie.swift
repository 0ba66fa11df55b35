/// A vendor's routes as a trie keyed by path segment, so that finding a request's endpoint
/// costs the same with ten endpoints or ten thousand: one table lookup per literal segment and
/// at most one step into a parameter, with no allocation.
///
/// The order a path is matched in is the one the routes had as a sorted list: at each segment
/// a literal beats a parameter (`/couriers/all` before `/couriers/{slug}`), and routes with
/// the same shape keep their file order. A depth-first walk that tries the literal child first
/// visits matching routes in exactly that order.
///
/// Every node's literal children are in one table keyed by (node, segment), and the routes
/// ending at each node are a range of one array: a node costs twelve bytes and no allocation
/// of its own, so ten thousand endpoints make three arrays, not tens of thousands. A class, so
/// that a match borrows the trie rather than copying (retaining) each of its arrays.
final class RouteTrie: Sendable {
    private struct Node: Sendable {
        var parameter: Int32 = -1
        /// The routes (indices into the vendor's list) whose last segment ends here, in file
        /// order: `ends[firstEnd ..< firstEnd + endCount]`.
        var firstEnd: Int32 = 0
        var endCount: Int32 = 0
    }

    private let nodes: [Node]
    private let literals: LiteralTable
    private let ends: [Int32]

    /// `routes[i]` is the segments of route `i`; the trie answers with those indices.
    convenience init(_ routes: [[PathTemplate.Segment]]) {
        self.init(count: routes.count) { (routes[$0], []) }
    }

    /// Route `i`'s segments are `parts(i).0` then `parts(i).1` (a base path's, an endpoint's).
    init(count: Int, parts: (Int) -> ([PathTemplate.Segment], [PathTemplate.Segment])) {
        var builder = Builder()
        // At most one node and one key per literal segment: sized once, never rehashed.
        var literalCount = 0, literalBytes = 0, segmentCount = 0
        func measure(_ part: [PathTemplate.Segment]) {
            segmentCount += part.count
            for case .literal(let text) in part {
                literalCount += 1
                literalBytes += text.utf8.count
            }
        }
        for index in 0..<count {
            let (head, tail) = parts(index)
            measure(head)
            measure(tail)
        }
        builder.literals.reserve(keys: literalCount, bytes: literalBytes)
        builder.nodes.reserveCapacity(segmentCount + 1)
        var reached: [(node: Int32, route: Int32)] = []
        reached.reserveCapacity(count)
        for index in 0..<count {
            let (head, tail) = parts(index)
            var node = 0
            for segment in head { node = builder.child(of: node, for: segment) }
            for segment in tail { node = builder.child(of: node, for: segment) }
            reached.append((Int32(node), Int32(index)))
        }
        // Grouped by node, each group in route order.
        reached.sort { $0.node != $1.node ? $0.node < $1.node : $0.route < $1.route }
        var ends: [Int32] = []
        ends.reserveCapacity(reached.count)
        for (node, route) in reached {
            if builder.nodes[Int(node)].endCount == 0 { builder.nodes[Int(node)].firstEnd = Int32(ends.count) }
            builder.nodes[Int(node)].endCount += 1
            ends.append(route)
        }
        nodes = builder.nodes
        literals = builder.literals
        self.ends = ends
    }

    private struct Builder {
        var nodes = [Node()]
        var literals = LiteralTable()

        mutating func child(of node: Int, for segment: PathTemplate.Segment) -> Int {
            switch segment {
            case .literal(let text):
                var text = text
                let next = text.withUTF8 { key -> Int32 in
                    if let next = literals[key, under: Int32(node)] { return next }
                    nodes.append(Node())
                    literals.insert(key, under: Int32(node), Int32(nodes.count - 1))
                    return Int32(nodes.count - 1)
                }
                return Int(next)
            case .parameter:
                if nodes[node].parameter >= 0 { return Int(nodes[node].parameter) }
                nodes.append(Node())
                nodes[node].parameter = Int32(nodes.count - 1)
            }
            return nodes.count - 1
        }
    }

    /// Calls `visit` with each route that matches the segments, in match order, until it
    /// returns true; returns whether one did. A parameter takes any non-empty segment.
    func match(_ path: PathSegments, from first: Int, visit: (Int) -> Bool) -> Bool {
        walk(0, path, first, visit)
    }

    private func walk(_ node: Int, _ path: PathSegments, _ depth: Int, _ visit: (Int) -> Bool) -> Bool {
        if depth == path.count {
            let first = Int(nodes[node].firstEnd)
            for i in first..<(first + Int(nodes[node].endCount)) where visit(Int(ends[i])) { return true }
            return false
        }
        let segment = path[depth]
        if let next = literals[segment, under: Int32(node)], walk(Int(next), path, depth + 1, visit) { return true }
        let parameter = nodes[node].parameter
        return parameter >= 0 && !segment.isEmpty && walk(Int(parameter), path, depth + 1, visit)
    }
}
