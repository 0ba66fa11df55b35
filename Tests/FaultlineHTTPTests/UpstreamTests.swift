import Testing
import FaultlineHTTP

/// Upstream URLs as `--proxy-unmatched` and `record --upstream` take them.
struct UpstreamTests {
    @Test func readsSchemeHostPortAndBasePath() throws {
        let plain = try Upstream(url: "http://api.example.com")
        #expect(!plain.secure && plain.host == "api.example.com" && plain.port == 80 && plain.basePath == "")
        let secure = try Upstream(url: "https://api.example.com:8443/v2/")
        #expect(secure.secure && secure.port == 8443 && secure.basePath == "/v2")
        #expect(secure.description == "https://api.example.com:8443/v2")
        let v6 = try Upstream(url: "https://[::1]:9000/base")
        #expect(v6.host == "::1" && v6.port == 9000 && v6.basePath == "/base")
        #expect(v6.description == "https://[::1]:9000/base")
        #expect(try Upstream(url: "https://h/").description == "https://h")
    }

    @Test func refusesWhatIsNoOrigin() {
        for url in ["ftp://h", "api.example.com", "http://", "http://h:0", "http://h:99999", "http://h/x?y=1", "http://user@h", "https://[::1"] {
            #expect(throws: Upstream.Invalid.self, "\(url)") { try Upstream(url: url) }
        }
    }
}
