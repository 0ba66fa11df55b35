import Testing
@testable import FaultlineHTTP

@Suite struct HTTPBytesTests {
    @Test func tokenCharactersAreExactlyRFC9110s() {
        // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
        let punctuation = Set("!#$%&'*+-.^_`|~".utf8)
        for byte in UInt8.min...UInt8.max {
            let expected = punctuation.contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            #expect(byte.isTokenChar == expected, "byte \(byte)")
        }
    }
}
