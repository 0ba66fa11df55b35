import Testing
@testable import FaultlineHTTP

/// The event loop's timer heap, with plain numbers for time: no thread, no clock.
@Suite struct LoopTimersTests {
    final class Log {
        var ran: [String] = []
    }

    @Test func runsActionsInDeadlineOrderAndEqualDeadlinesInTheOrderScheduled() {
        var timers = LoopTimers()
        let log = Log()
        for (deadline, name) in [(30, "c"), (10, "a1"), (20, "b"), (10, "a2"), (50, "e"), (10, "a3"), (40, "d")] {
            timers.schedule(at: UInt64(deadline)) { log.ran.append(name) }
        }
        #expect(timers.nextDeadline == 10)
        while let action = timers.takeDue(now: 100) { action() }
        #expect(log.ran == ["a1", "a2", "a3", "b", "c", "d", "e"])
        #expect(timers.isEmpty && timers.nextDeadline == nil)
    }

    @Test func takesOnlyWhatIsDue() {
        var timers = LoopTimers()
        let log = Log()
        timers.schedule(at: 200) { log.ran.append("late") }
        timers.schedule(at: 100) { log.ran.append("early") }
        #expect(timers.takeDue(now: 99) == nil)
        while let action = timers.takeDue(now: 150) { action() }
        #expect(log.ran == ["early"])
        #expect(timers.count == 1 && timers.nextDeadline == 200)
    }

    @Test func keepsOrderThroughManyRandomDeadlines() {
        var timers = LoopTimers()
        let log = Log()
        var state: UInt64 = 2_026_1203
        var expected: [(UInt64, Int)] = []
        for i in 0..<1_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let deadline = (state >> 33) % 97
            expected.append((deadline, i))
            timers.schedule(at: deadline) { log.ran.append(String(i)) }
        }
        while let action = timers.takeDue(now: .max) { action() }
        let order = expected.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map { String($0.1) }
        #expect(log.ran == order)
    }
}
