import Testing
import FaultlineHTTP
import FaultlineTesting

/// gzip and deflate both ways: responses compressed as `Accept-Encoding` asks, request bodies
/// decoded before validation, with a bound on what a body may inflate to.
@Suite struct CompressionOverSocketsTests {
    static let tracking = "/aftership/v4/trackings/dhl/1234567890?scenario=4004"
    /// A response comfortably over the 256-byte threshold.
    static let large = "/aftership/v4/couriers/all"

    func get(_ client: TestHTTPClient, _ target: String, acceptEncoding: String?) throws -> TestResponse {
        var headers = [("aftership-api-key", "gzip-test")]
        if let acceptEncoding { headers.append(("Accept-Encoding", acceptEncoding)) }
        return try client.request("GET", target, headers: headers)
    }

    @Test(arguments: [("gzip", "gzip"), ("deflate", "deflate"), ("gzip;q=0.5, deflate", "deflate"), ("deflate;q=0.2, gzip;q=0.8", "gzip"), ("*", "gzip"), ("gzip;q=0, *;q=0.3", "deflate")])
    func compressesWhatTheClientPrefers(acceptEncoding: String, expected: String) throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        let plain = try get(client, Self.large, acceptEncoding: nil)
        #expect(plain.headers["Content-Encoding"] == nil)
        #expect(plain.headers["Vary"] == "Accept-Encoding")
        let encoded = try get(client, Self.large, acceptEncoding: acceptEncoding)
        #expect(encoded.status == 200)
        #expect(encoded.headers["Content-Encoding"] == expected)
        #expect(encoded.headers["Vary"] == "Accept-Encoding")
        #expect(encoded.headers["Content-Length"] == String(encoded.body.count))
        #expect(encoded.body.count < plain.body.count)
        #expect(try Zlib.decompress(encoded.body, format: expected == "gzip" ? .gzip : .deflate) == plain.body)
    }

    @Test func smallBodiesAndIdentityStayUncompressed() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        let small = try get(client, Self.tracking, acceptEncoding: "gzip")
        #expect(small.headers["Content-Encoding"] == nil)
        #expect(small.text == #"{"meta":{"code":4004,"type":"BadRequest","message":"Tracking does not exist."},"data":{}}"#)
        #expect(try get(client, Self.large, acceptEncoding: "identity").headers["Content-Encoding"] == nil)
        #expect(try get(client, Self.large, acceptEncoding: "br").headers["Content-Encoding"] == nil)
    }

    @Test func refusingIdentityAndEveryOfferedCodingIs406() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let response = try get(try server.client(), Self.large, acceptEncoding: "br, identity;q=0")
        #expect(response.status == 406)
    }

    @Test func compressionCanBeTurnedOff() throws {
        let server = try TestServer.start { $0.compression.enabled = false }
        defer { server.stop() }
        let response = try get(try server.client(), Self.large, acceptEncoding: "gzip")
        #expect(response.headers["Content-Encoding"] == nil && response.headers["Vary"] == nil)
    }

    func post(_ client: TestHTTPClient, _ body: [UInt8], encoding: String) throws -> TestResponse {
        let head = "POST /aftership/v4/trackings HTTP/1.1\r\nHost: h\r\naftership-api-key: gzip-body\r\nContent-Type: application/json\r\nContent-Encoding: \(encoding)\r\nContent-Length: \(body.count)\r\n\r\n"
        try client.send(Array(head.utf8) + body)
        return try client.readResponse()
    }

    @Test(arguments: [Zlib.Format.gzip, .deflate, .rawDeflate])
    func decodesCompressedRequestBodiesBeforeValidation(format: Zlib.Format) throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        let json = Array(#"{"tracking":{"slug":"dpd-de","tracking_number":"GZ000001"}}"#.utf8)
        let created = try post(client, try Zlib.compress(json, format: format), encoding: format == .gzip ? "gzip" : "deflate")
        #expect(created.status == 201)
        #expect(created.text.contains(#""tracking_number":"GZ000001""#))
        // Decoded first, so a compressed invalid body is the vendor's validation error.
        let invalid = try post(client, try Zlib.compress(Array(#"{"tracking":{}}"#.utf8), format: format), encoding: format == .gzip ? "gzip" : "deflate")
        #expect(invalid.text == #"{"meta":{"code":4007,"type":"BadRequest","message":"tracking_number is required."},"data":{}}"#)
    }

    @Test func aDecompressionBombIs413AndTheServerKeepsServing() throws {
        let server = try TestServer.start { $0.compression.maxDecodedBodySize = 1_000_000 }
        defer { server.stop() }
        let client = try server.client()
        let bomb = try Zlib.compress([UInt8](repeating: 0x20, count: 20_000_000), format: .gzip)
        #expect(bomb.count < 100_000)
        let response = try post(client, bomb, encoding: "gzip")
        #expect(response.status == 413)
        #expect(try get(client, Self.tracking, acceptEncoding: nil).status == 404)
    }

    @Test func unknownCodingsAre415AndCorruptBodies400() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        let unknown = try post(client, Array("xyz".utf8), encoding: "br")
        #expect(unknown.status == 415)
        #expect(unknown.headers["Accept-Encoding"] == "gzip, deflate, identity")
        #expect(try post(client, Array("not gzip at all".utf8), encoding: "gzip").status == 400)
    }
}
