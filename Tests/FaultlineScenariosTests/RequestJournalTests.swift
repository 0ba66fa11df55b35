import Testing
import FaultlineHTTP
@testable import FaultlineScenarios

/// The journal's numbering and the answers it keeps while watched, on the journal's own clock
/// values (no sleeping).
@Suite struct RequestJournalTests {
    static func entry(_ path: String, status: Int = 200) -> JournalEntry {
        JournalEntry(time: 0, client: "c", method: "GET", target: path, vendor: nil, endpoint: nil, scenario: nil, status: status)
    }

    @Test func entriesAreNumberedAcrossTheRingsWrap() {
        let journal = RequestJournal(capacity: 3)
        for i in 1...5 { #expect(journal.record(Self.entry("/\(i)")) == i) }
        let numbered = journal.numberedEntries()
        #expect(numbered.map(\.sequence) == [3, 4, 5])
        #expect(numbered.map { String($0.entry.path) } == ["/3", "/4", "/5"])
        #expect(journal.numberedEntries(pathPrefix: "/4").map(\.sequence) == [4])
        // After a clear the numbers go on: a kept answer can never pass for a later request's.
        journal.clear()
        #expect(journal.record(Self.entry("/6")) == 6)
        #expect(journal.numberedEntries().map(\.sequence) == [6])
    }

    @Test func answersAreKeptWhileWatchedAndBounded() {
        let journal = RequestJournal(capacity: 1_000)
        #expect(!journal.isWatched(at: 1_000))
        journal.watch(from: 1_000, seconds: 10)
        #expect(journal.isWatched(at: 1_009.9))
        #expect(!journal.isWatched(at: 1_010.1))
        let big = HTTPResponse(status: 200, body: [UInt8](repeating: 0x61, count: RequestJournal.captureBodyLimit + 5))
        for sequence in 1...(RequestJournal.captureCapacity + 2) { journal.capture(sequence, big) }
        let kept = journal.capturedAnswers()
        #expect(kept[1] == nil && kept[2] == nil)
        let last = kept[RequestJournal.captureCapacity + 2]
        #expect(last?.body.count == RequestJournal.captureBodyLimit && last?.truncated == true)
    }
}
