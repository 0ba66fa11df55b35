import Testing
@testable import FaultlineHTTP

@Suite struct ContentCodingTests {
    @Test(arguments: [
        ("gzip", ResponseCoding.gzip),
        ("deflate", .deflate),
        ("gzip, deflate, br", .gzip),
        ("deflate;q=1, gzip;q=0.9", .deflate),
        ("GZIP;Q=0.4, deflate;q=0.4", .gzip),
        ("br", .identity),
        ("identity", .identity),
        ("", .identity),
        ("*", .gzip),
        ("*;q=0", .notAcceptable),
        ("br, identity;q=0", .notAcceptable),
        ("gzip;q=0, identity;q=0, *;q=0", .notAcceptable),
        ("gzip;q=0", .identity),
        ("x-gzip", .gzip),
        (" gzip ; q=0.5 ,\tdeflate;Q=0.6\t", .deflate),
        ("gzip;q=0.5;level=1, deflate;q=0.4", .gzip),
        (",,gzip,", .gzip),
        ("identity;q=0, gzip;q=0", .notAcceptable),
        ("gzip;q=bad", .gzip),
        ("gzip;q=", .gzip),
        // RFC 9110 §12.5.3: a coding comes before its parameters; an element that starts
        // with `;` names none.
        (";gzip", .identity),
    ])
    func negotiatesAcceptEncodingAsRFC9110Says(header: String, expected: ResponseCoding) {
        #expect(AcceptEncoding.negotiate(header) == expected)
    }

    @Test func decodesEveryCodingInReverseOrder() throws {
        let text = Array("hello, faultline".utf8)
        let twice = try Zlib.compress(Zlib.compress(text, format: .deflate), format: .gzip)
        #expect(try RequestDecoding.decode(twice, codings: "deflate, gzip", limit: 1_000).get() == text)
        #expect(try RequestDecoding.decode(text, codings: "identity", limit: 1_000).get() == text)
        #expect(RequestDecoding.decode(text, codings: "br", limit: 1_000) == .failure(.unsupported("br")))
        #expect(RequestDecoding.decode(text, codings: "gzip", limit: 1_000) == .failure(.corrupt))
        let big = try Zlib.compress([UInt8](repeating: 65, count: 5_000), format: .deflate)
        #expect(RequestDecoding.decode(big, codings: "deflate", limit: 1_000) == .failure(.tooLarge))
    }

    @Test func theDeflaterIsReusedAcrossResponses() throws {
        let deflater = try #require(Deflater(format: .gzip, level: 6))
        for size in [10, 100_000, 300] {
            let input = (0..<size).map { UInt8(truncatingIfNeeded: $0 % 7) }
            let compressed = try #require(deflater.compress(input))
            #expect(try Zlib.decompress(compressed, format: .gzip) == input)
        }
    }

    @Test func aBodyCompressedLatelyIsAnsweredFromTheCacheWithTheSameBytes() throws {
        let cached = try #require(Deflater(format: .gzip, level: 1, cachedBodies: 2, maxCachedBodySize: 1_000))
        let fresh = try #require(Deflater(format: .gzip, level: 1))
        let bodies = (0..<4).map { n in Array(#"{"orders":[{"id":\#(n)},{"id":"same"}]}"#.utf8) }
        for round in 0..<3 {
            for body in bodies.prefix(2) + [bodies[round % 2]] {
                let answer = try #require(cached.compress(Array(body)))
                #expect(answer == fresh.compress(body))
                #expect(try Zlib.decompress(answer, format: .gzip) == body)
            }
        }
        #expect(cached.hits == 7)
        // One byte different is another body; two entries kept, so the oldest goes.
        _ = cached.compress(bodies[2])
        _ = cached.compress(bodies[3])
        _ = cached.compress(bodies[0])
        #expect(cached.hits == 7)
        // Too large to keep: compressed each time.
        let large = [UInt8](repeating: 65, count: 2_000)
        _ = cached.compress(large)
        #expect(try Zlib.decompress(#require(cached.compress(large)), format: .gzip) == large)
        #expect(cached.hits == 7)
    }
}
