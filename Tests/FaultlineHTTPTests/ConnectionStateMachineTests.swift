import Testing
@testable import FaultlineHTTP

@Suite struct ConnectionStateMachineTests {
    let timeouts = ConnectionStateMachine.Timeouts(request: 100, idle: 1_000, linger: 50)

    @Test func closesAnIdleKeepAliveConnectionAfterTheIdleTimeout() {
        var machine = ConnectionStateMachine(timeouts: timeouts, now: 0)
        #expect(machine.timeoutAction(now: 999) == .none)
        #expect(machine.timeoutAction(now: 1_000) == .close)
        machine.bytesReceived(requestPending: false, now: 900)
        #expect(machine.timeoutAction(now: 1_800) == .none)
        #expect(machine.timeoutAction(now: 1_900) == .close)
    }

    @Test func timesOutARequestThatArrivesTooSlowlyCountingFromItsFirstByte() {
        var machine = ConnectionStateMachine(timeouts: timeouts, now: 0)
        machine.bytesReceived(requestPending: true, now: 10)
        machine.bytesReceived(requestPending: true, now: 60)
        // A trickle of bytes does not reset the clock: that is the slowloris defence.
        #expect(machine.timeoutAction(now: 109) == .none)
        #expect(machine.timeoutAction(now: 110) == .timeOutRequest)
    }

    @Test func aSteadilyPipeliningClientIsNotTimedOut() {
        var machine = ConnectionStateMachine(timeouts: timeouts, now: 0)
        machine.bytesReceived(requestPending: true, now: 10)
        // Every read completes some requests and ends inside the next one.
        machine.bytesReceived(requestPending: true, completedRequest: true, now: 90)
        machine.bytesReceived(requestPending: true, completedRequest: true, now: 170)
        #expect(machine.timeoutAction(now: 260) == .none)
        #expect(machine.timeoutAction(now: 270) == .timeOutRequest)
    }

    @Test func aCompletedRequestReturnsTheConnectionToIdle() {
        var machine = ConnectionStateMachine(timeouts: timeouts, now: 0)
        machine.bytesReceived(requestPending: true, now: 10)
        machine.bytesReceived(requestPending: false, now: 20)
        #expect(machine.isIdle)
        #expect(machine.timeoutAction(now: 500) == .none)
    }

    @Test func lingeringEndsAfterTheLingerTimeoutAndClosedNeverTimesOut() {
        var machine = ConnectionStateMachine(timeouts: timeouts, now: 0)
        machine.startLingering(now: 100)
        machine.bytesReceived(requestPending: true, now: 120)
        #expect(machine.timeoutAction(now: 149) == .none)
        #expect(machine.timeoutAction(now: 150) == .close)
        machine.markClosed()
        #expect(machine.timeoutAction(now: 10_000) == .none)
    }
}
