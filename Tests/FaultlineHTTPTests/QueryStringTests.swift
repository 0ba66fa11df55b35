import Testing
import FaultlineHTTP

@Suite struct QueryStringTests {
    @Test func findsTheFirstValueOfAParameterDecoded() {
        #expect(QueryString.first("scenario", in: "a=1&scenario=429&scenario=500") == "429")
        #expect(QueryString.first("q", in: "q=two+words%21") == "two words!")
        #expect(QueryString.first("scenario", in: "sc%65nario=4003") == "4003")
        #expect(QueryString.first("flag", in: "flag&x=1") == "")
        #expect(QueryString.first("scenario", in: "scenarios=1&xscenario=2") == nil)
    }

    @Test func tellsWhetherAnyKeyStartsWithAByte() {
        #expect(QueryString.hasKey(startingWith: UInt8(ascii: "d"), in: "scenario=1&delay=2"))
        #expect(!QueryString.hasKey(startingWith: UInt8(ascii: "d"), in: "scenario=d&x=dd"))
    }

    @Test func leavesMalformedEscapesAsWritten() {
        #expect(PercentDecoding.decode("100%", plusAsSpace: false) == "100%")
        #expect(PercentDecoding.decode("%zz+%41", plusAsSpace: false) == "%zz+A")
    }
}
