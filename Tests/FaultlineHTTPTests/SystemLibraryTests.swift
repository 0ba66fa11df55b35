import Testing
import FaultlineHTTP

@Suite struct SystemLibraryTests {
    @Test(arguments: [Zlib.Format.gzip, .deflate])
    func zlibRoundTripsData(_ format: Zlib.Format) throws {
        let input = Array(String(repeating: #"{"meta":{"code":429}} "#, count: 200).utf8)
        let compressed = try Zlib.compress(input, format: format)
        #expect(compressed.count < input.count / 4)
        if format == .gzip { #expect(Array(compressed.prefix(2)) == [0x1F, 0x8B]) }
        #expect(try Zlib.decompress(compressed, format: format) == input)
    }

    @Test func zlibRefusesToInflatePastTheLimit() throws {
        let bomb = try Zlib.compress([UInt8](repeating: 0, count: 1_000_000))
        #expect(throws: Zlib.Error.self) { try Zlib.decompress(bomb, limit: 10_000) }
    }

    @Test func zlibRejectsTruncatedInput() throws {
        let compressed = try Zlib.compress(Array("hello hello hello".utf8))
        #expect(throws: Zlib.Error.self) { try Zlib.decompress(Array(compressed.dropLast(6))) }
    }

    @Test func openSSLIsVersion3AndContextsRefuseTLSBelow12() throws {
        #expect(TLSContext.libraryVersion.hasPrefix("OpenSSL 3."))
        let context = try TLSContext()
        #expect(context.minimumProtocolVersion == 0x0303)
    }
}
