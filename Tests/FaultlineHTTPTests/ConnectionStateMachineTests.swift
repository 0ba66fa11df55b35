import Testing
@testable import FaultlineHTTP

/// The connection's life cycle with plain numbers for time: no socket, no clock.
@Suite struct ConnectionStateMachineTests {
    typealias Machine = ConnectionStateMachine
    let timeouts = Machine.Timeouts(request: 100, idle: 1_000, linger: 50)

    @Test func closesAnIdleKeepAliveConnectionAfterTheIdleTimeout() {
        var machine = Machine(timeouts: timeouts, now: 0)
        #expect(machine.timerAction(now: 999) == .none)
        #expect(machine.timerAction(now: 1_000) == .close)
        machine.answered(completedRequests: 1, requestPending: false, end: .open, now: 900)
        #expect(machine.timerAction(now: 1_899) == .none)
        #expect(machine.timerAction(now: 1_900) == .close)
    }

    @Test func aClockReadBeforeTheLastEventIsNoTimeout() {
        // The loop reads its clock once per turn; an event of that turn may be stamped later.
        var machine = Machine(timeouts: timeouts, now: 0)
        machine.answered(completedRequests: 1, requestPending: false, end: .open, now: 5_000)
        #expect(machine.timerAction(now: 4_999) == .none)
        machine.answered(completedRequests: 0, requestPending: true, end: .open, now: 6_000)
        #expect(machine.timerAction(now: 5_999) == .none)
        #expect(machine.timerAction(now: 6_100) == .timeOutRequest)
    }

    @Test func timesOutARequestThatArrivesTooSlowlyCountingFromItsFirstByte() {
        var machine = Machine(timeouts: timeouts, now: 0)
        machine.answered(completedRequests: 0, requestPending: true, end: .open, now: 10)
        machine.answered(completedRequests: 0, requestPending: true, end: .open, now: 60)
        // A trickle of bytes does not reset the clock: that is the slowloris defence.
        #expect(machine.timerAction(now: 109) == .none)
        #expect(machine.timerAction(now: 110) == .timeOutRequest)
        machine.requestTimedOut(now: 110)
        // The 408 has the linger time to leave, then the connection lingers.
        #expect(machine.interest == .init(readable: false, writable: true))
        #expect(machine.timerAction(now: 159) == .none)
        #expect(machine.timerAction(now: 160) == .close)
        #expect(machine.outputFlushed(requestPending: false, now: 120) == .linger)
        #expect(machine.state == .lingering(since: 120))
    }

    @Test func aSteadilyPipeliningClientIsNotTimedOut() {
        var machine = Machine(timeouts: timeouts, now: 0)
        machine.answered(completedRequests: 0, requestPending: true, end: .open, now: 10)
        // Every read completes some requests and ends inside the next one.
        machine.answered(completedRequests: 3, requestPending: true, end: .open, now: 90)
        machine.answered(completedRequests: 2, requestPending: true, end: .open, now: 170)
        #expect(machine.timerAction(now: 260) == .none)
        #expect(machine.timerAction(now: 270) == .timeOutRequest)
    }

    @Test func aCompletedRequestReturnsTheConnectionToIdle() {
        var machine = Machine(timeouts: timeouts, now: 0)
        machine.answered(completedRequests: 0, requestPending: true, end: .open, now: 10)
        machine.answered(completedRequests: 1, requestPending: false, end: .open, now: 20)
        #expect(machine.state == .idle(since: 20))
        #expect(machine.closesWhenDraining)
        #expect(machine.timerAction(now: 500) == .none)
    }

    @Test func stopsReadingWhileTheSocketWillNotTakeTheAnswersAndResumesOnceItHas() {
        var machine = Machine(timeouts: timeouts, now: 0)
        machine.answered(completedRequests: 500, requestPending: true, end: .open, now: 10)
        machine.outputBlocked(now: 10)
        #expect(machine.readAction == .ignore)
        #expect(machine.interest == .init(readable: false, writable: true))
        #expect(!machine.closesWhenDraining)
        // Unread requests wait in the buffer: the request clock does not run meanwhile.
        #expect(machine.timerAction(now: 500) == .none)
        #expect(machine.outputFlushed(requestPending: true, now: 600) == .readMore)
        #expect(machine.state == .receiving(since: 600))
        #expect(machine.interest == .init(readable: true, writable: false))
    }

    @Test func dropsAPeerThatLeavesItsAnswersUnreadForTheIdleTimeout() {
        var machine = Machine(timeouts: timeouts, now: 0)
        machine.answered(completedRequests: 1, requestPending: false, end: .open, now: 10)
        machine.outputBlocked(now: 10)
        #expect(machine.timerAction(now: 1_009) == .none)
        #expect(machine.timerAction(now: 1_010) == .close)
    }

    @Test func aClosingAnswerLingersOnceItIsWrittenAndLingeringEnds() {
        var machine = Machine(timeouts: timeouts, now: 0)
        machine.answered(completedRequests: 1, requestPending: false, end: .close, now: 5)
        #expect(machine.readAction == .ignore)
        #expect(machine.outputFlushed(requestPending: false, now: 7) == .linger)
        #expect(machine.readAction == .discard)
        #expect(machine.interest == .init(readable: true, writable: false))
        #expect(machine.timerAction(now: 56) == .none)
        #expect(machine.timerAction(now: 57) == .close)
        machine.markClosed()
        #expect(machine.timerAction(now: 10_000) == .none)
        #expect(machine.interest == .init(readable: false, writable: false))
    }

    @Test func aHeldResponseStopsReadingAndKeepsNoTimeoutOfItsOwn() {
        var machine = Machine(timeouts: timeouts, now: 0)
        machine.answered(completedRequests: 2, requestPending: true, end: .hold, now: 5)
        #expect(machine.state == .holding(writing: false))
        #expect(machine.interest == .init(readable: false, writable: false))
        #expect(machine.timerAction(now: 1_000_000) == .none)
        // The answers before it did not all fit: wait for the socket, still holding.
        machine.outputBlocked(now: 6)
        #expect(machine.interest == .init(readable: false, writable: true))
        #expect(machine.outputFlushed(requestPending: true, now: 8) == .none)
        #expect(machine.state == .holding(writing: false))
        // Once it is out, the pipelined requests behind it are answered.
        machine.holdEnded(close: false, requestPending: true, now: 300)
        #expect(machine.outputFlushed(requestPending: true, now: 300) == .readMore)
        #expect(machine.answersRequests)
    }

    @Test func aHeldResponseThatEndsTheConnectionLingersAfterIt() {
        var machine = Machine(timeouts: timeouts, now: 0)
        machine.answered(completedRequests: 1, requestPending: false, end: .hold, now: 5)
        machine.outputBlocked(now: 5)
        machine.holdEnded(close: true, requestPending: false, now: 40)
        #expect(machine.state == .writing(deadline: 1_040, then: .close))
        #expect(machine.outputFlushed(requestPending: false, now: 50) == .linger)
    }

    @Test func aTLSHandshakeHasTheRequestTimeoutAndFollowsWhatOpenSSLWaitsFor() {
        var machine = Machine(timeouts: timeouts, now: 0, handshake: true)
        #expect(machine.readAction == .handshake)
        machine.handshakeWants(write: true)
        #expect(machine.interest == .init(readable: false, writable: true))
        #expect(machine.timerAction(now: 99) == .none)
        #expect(machine.timerAction(now: 100) == .close)
        machine.handshakeFinished(now: 30)
        #expect(machine.state == .idle(since: 30))
        #expect(machine.readAction == .read)
    }

    @Test func aDrainingServerClosesOnlyConnectionsBetweenRequests() {
        var machine = Machine(timeouts: timeouts, now: 0)
        machine.answered(completedRequests: 0, requestPending: true, end: .open, now: 1)
        #expect(!machine.closesWhenDraining)
        machine.answered(completedRequests: 1, requestPending: false, end: .hold, now: 2)
        #expect(!machine.closesWhenDraining)
        machine.holdEnded(close: false, requestPending: false, now: 3)
        #expect(machine.closesWhenDraining)
    }
}
