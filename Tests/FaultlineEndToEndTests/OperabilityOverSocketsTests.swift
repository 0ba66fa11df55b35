#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization
import Testing
import FaultlineHTTP
import FaultlineScenarios
import FaultlineTesting

/// Hot reload, metrics and the health probe, on the wire.
@Suite struct OperabilityOverSocketsTests {
    static func acme(says word: String, vendor: String = "acme") -> String {
        #"{"vendor":"\#(vendor)","basePaths":["/v1"],"endpoints":[{"id":"getThing","method":"GET","path":"/things/{id}","response":{"status":200,"body":{"word":"\#(word)"}}}]}"#
    }

    static let broken = #"{"vendor":"acme","basePaths":["/v1"],"endpoints":[{"id":"getThing","method":"GET","path":"/things/{id}","respons":{}}]}"#

    /// The reload answer without its `time` field (a clock reading).
    static func withoutTime(_ text: String) -> String {
        let marker = Array(#","time":""#.utf8)
        let bytes = Array(text.utf8)
        guard let start = (0...(bytes.count - marker.count)).first(where: { Array(bytes[$0..<($0 + marker.count)]) == marker }),
              let end = bytes[(start + marker.count)...].firstIndex(of: UInt8(ascii: "\"")) else { return text }
        return String(decoding: bytes[..<start] + bytes[(end + 1)...], as: UTF8.self)
    }

    @Test func postReloadServesTheNewFileAndABrokenOneIsRefusedWith422() throws {
        let directory = try TemporaryDirectory()
        try directory.write("acme.json", Self.acme(says: "one"))
        let server = try TestServer.start(scenarios: directory.path)
        defer { server.stop() }
        let client = try server.client()
        #expect(try client.request("GET", "/acme/v1/things/1").text == #"{"word":"one"}"#)

        try directory.write("acme.json", Self.acme(says: "two"))
        let reloaded = try client.request("POST", "/__faultline/reload")
        #expect(reloaded.status == 200)
        #expect(Self.withoutTime(reloaded.text) == #"{"reloaded":true,"trigger":"admin","vendors":["acme"],"errors":[]}"#)
        #expect(try client.request("GET", "/acme/v1/things/1").text == #"{"word":"two"}"#)

        try directory.write("acme.json", Self.broken)
        let refused = try client.request("POST", "/__faultline/reload")
        #expect(refused.status == 422)
        #expect(Self.withoutTime(refused.text) == #"{"reloaded":false,"trigger":"admin","vendors":["acme"],"errors":[{"file":"acme.json","path":"$.endpoints[0].respons","message":"unknown key 'respons' (allowed: id, method, path, basePaths, description, response, scenarios, scope, public, validate, state, examples)"},{"file":"acme.json","path":"$.endpoints[0]","message":"missing required key 'response'"}]}"#)
        // Still serving the last good files; the failure stays readable.
        #expect(try client.request("GET", "/acme/v1/things/1").text == #"{"word":"two"}"#)
        let last = try client.request("GET", "/__faultline/reload")
        #expect(last.status == 200)
        #expect(Self.withoutTime(last.text) == Self.withoutTime(refused.text))
        let metrics = try client.request("GET", "/__faultline/metrics").text
        #expect(metrics.contains("faultline_reloads_total{result=\"success\"} 1\nfaultline_reloads_total{result=\"failure\"} 1\n"))
        #expect(metrics.contains("faultline_last_reload_success 0\n"))
    }

    @Test func watchReloadsAChangedFileAndKeepsServingThroughABrokenSave() throws {
        let directory = try TemporaryDirectory()
        try directory.write("acme.json", Self.acme(says: "one"))
        let server = try TestServer.start(scenarios: directory.path)
        defer { server.stop() }
        server.service.watch(interval: 0.05)
        let client = try server.client()

        func waitFor(_ body: String) throws -> Bool {
            for _ in 0..<100 {
                if try client.request("GET", "/acme/v1/things/1").text == body { return true }
                usleep(20_000)
            }
            return false
        }
        try directory.write("acme.json", Self.acme(says: "two"))
        #expect(try waitFor(#"{"word":"two"}"#))

        try directory.write("acme.json", Self.broken)
        var reported = false
        for _ in 0..<100 where !reported {
            reported = server.service.lastReload.trigger == "watch" && !server.service.lastReload.succeeded
            usleep(20_000)
        }
        #expect(reported)
        #expect(try client.request("GET", "/acme/v1/things/1").text == #"{"word":"two"}"#)

        // A new file appearing is a change too.
        try directory.write("acme.json", Self.acme(says: "three"))
        try directory.write("zeta.json", Self.acme(says: "z", vendor: "zeta"))
        #expect(try waitFor(#"{"word":"three"}"#))
        #expect(try client.request("GET", "/zeta/v1/things/1").status == 200)
    }

    @Test func reloadsNeverDropRequestsInFlight() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("acme.json", Self.acme(says: "old"))
        let server = try TestServer.start(scenarios: directory.path)
        defer { server.stop() }

        // A response held back by a delay was rendered before the reload and arrives whole.
        let held = try server.client()
        try held.send("GET /acme/v1/things/1?delay=300 HTTP/1.1\r\nHost: t\r\n\r\n")
        usleep(50_000)
        try directory.write("acme.json", Self.acme(says: "new"))
        #expect(server.reload().succeeded)
        let late = try held.readResponse()
        #expect(late.status == 200)
        #expect(late.text == #"{"word":"old"}"#)

        // Keep-alive clients hammering while the files are reloaded again and again.
        final class Counts: Sendable {
            let failures = Atomic<Int>(0)
            let answered = Atomic<Int>(0)
        }
        let counts = Counts()
        let port = server.port
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    guard let client = try? TestHTTPClient(port: port) else { counts.failures.add(1, ordering: .relaxed); return }
                    for _ in 0..<300 {
                        guard let response = try? client.request("GET", "/acme/v1/things/1"),
                              response.status == 200, response.text == #"{"word":"new"}"# || response.text == #"{"word":"newer"}"# else {
                            counts.failures.add(1, ordering: .relaxed)
                            return
                        }
                        counts.answered.add(1, ordering: .relaxed)
                    }
                }
            }
            group.addTask {
                for i in 0..<20 {
                    try? directory.write("acme.json", Self.acme(says: i % 2 == 0 ? "newer" : "new"))
                    if !server.reload().succeeded { counts.failures.add(1, ordering: .relaxed) }
                    usleep(5_000)
                }
            }
        }
        #expect(counts.failures.load(ordering: .relaxed) == 0)
        #expect(counts.answered.load(ordering: .relaxed) == 900)
    }

    @Test func metricsCountRequestsByVendorEndpointScenarioAndStatus() throws {
        let server = try TestServer.start()
        defer { server.stop() }
        let client = try server.client()
        for _ in 0..<2 { _ = try client.request("POST", "/aftership/v4/trackings?scenario=4003", body: "{}") }
        _ = try client.request("GET", "/aftership/v4/couriers?scenario=429&delay=300")
        _ = try client.request("GET", "/nowhere")
        let response = try client.request("GET", "/__faultline/metrics")
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8")
        let lines = response.text.split(separator: "\n").map(String.init)
        let requests = lines.filter { $0.hasPrefix("faultline_requests_total{") }
        #expect(requests == [
            #"faultline_requests_total{vendor="",endpoint="",scenario="faultline:no-endpoint",status="404"} 1"#,
            #"faultline_requests_total{vendor="aftership",endpoint="createTracking",scenario="4003",status="400"} 2"#,
            #"faultline_requests_total{vendor="aftership",endpoint="listCouriers",scenario="429",status="429"} 1"#,
        ])
        #expect(lines.contains(#"faultline_request_duration_seconds_count{vendor="aftership",endpoint="createTracking"} 2"#))
        // The held response counts its delay: past the 0.25 s bucket, inside 0.5 s.
        #expect(lines.contains(#"faultline_request_duration_seconds_bucket{vendor="aftership",endpoint="listCouriers",le="0.25"} 0"#))
        #expect(lines.contains(#"faultline_request_duration_seconds_bucket{vendor="aftership",endpoint="listCouriers",le="0.5"} 1"#))
        #expect(lines.contains("faultline_open_connections 1"))
        #expect(lines.contains("faultline_connections_total 1"))
        #expect(lines.contains("faultline_vendors 5"))
        #expect(lines.contains("# TYPE faultline_request_duration_seconds histogram"))
    }

    @Test func theHealthProbeAsksTheServerAndFailsWhenNothingListens() throws {
        let server = try TestServer.start()
        let health = try HealthProbe.get(host: "0.0.0.0", port: server.port, path: "/__faultline/health")
        #expect(health.status == 200)
        #expect(health.body == #"{"status":"ok","vendors":["aftership","flexforward","generic","price2b","trackbot"]}"#)
        let port = server.port
        server.stop()
        #expect(throws: HealthProbe.Failure.self) { try HealthProbe.get(host: "127.0.0.1", port: port, path: "/__faultline/health", timeout: 1) }
        #expect(HealthProbe.probeAddress(forBindAddress: "0.0.0.0") == "127.0.0.1")
        #expect(HealthProbe.probeAddress(forBindAddress: "::") == "::1")
        #expect(HealthProbe.probeAddress(forBindAddress: "[::1]") == "::1")
        #expect(HealthProbe.probeAddress(forBindAddress: "10.1.2.3") == "10.1.2.3")
    }

    @Test func theHealthProbeSpeaksTLSWhenHTTPSReplacesHTTP() throws {
        let directory = try TemporaryDirectory()
        let server = try TestServer.start { configuration in
            configuration.tls = try? TLSContext.selfSigned(certificatePath: directory.path + "/cert.pem")
        }
        defer { server.stop() }
        #expect(server.baseURLString == "https://127.0.0.1:\(server.port)")
        #expect(try HealthProbe.get(host: "127.0.0.1", port: server.port, path: "/__faultline/health", tls: true).status == 200)
    }
}
