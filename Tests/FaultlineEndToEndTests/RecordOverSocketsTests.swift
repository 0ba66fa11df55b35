import Testing
import FaultlineHTTP
import FaultlineScenarios
import FaultlineTesting

/// `faultline record` end to end with no network: a second Faultline over HTTPS with a
/// self-signed certificate is the "real API"; the recorder proxies to it; the file it writes
/// is served and answers as the upstream did.
@Suite(.serialized) struct RecordOverSocketsTests {
    static let upstreamFile = #"""
    {"vendor": "acme", "basePaths": ["/v1"], "headers": {"Content-Type": "application/json", "X-RateLimit-Limit": "100"},
     "endpoints": [
      {"id": "get-item", "method": "GET", "path": "/items/{id}", "response": {"status": 200, "body": {"id": "{{path.id}}", "name": "Widget"}},
       "scenarios": {
         "item_not_found": {"status": 404, "body": {"error": {"code": "item_not_found", "message": "No such item."}}},
         "throttled": {"status": 429, "headers": {"Retry-After": "7"}, "body": {"meta": {"code": 4290, "message": "Slow down."}}}
       }},
      {"id": "create", "method": "POST", "path": "/items", "response": {"status": 201, "body": {"id": "i_1", "name": "{{body.name}}", "session_token": "s3cr3t"}}}
     ]}
    """#

    struct Recording {
        let upstream: TestServer
        let recorder: Recorder
        let server: HTTPServer
        let directory: TemporaryDirectory
        let certificate: TLSOverSocketsTests.Certificate

        init() throws {
            certificate = try TLSOverSocketsTests.Certificate()
            let context = try TLSContext.selfSigned(certificatePath: certificate.certificate)
            upstream = try TestServer.start(files: ["acme.json": RecordOverSocketsTests.upstreamFile], options: .init(singleVendor: "acme")) { configuration in
                configuration.tls = context
                configuration.tlsPort = 0
            }
            var target = try Upstream(url: "https://localhost:\(upstream.tlsPort!)")
            target.caFile = certificate.certificate
            directory = try TemporaryDirectory()
            recorder = Recorder(upstream: target, vendor: "acme", directory: directory.path + "/out")
            server = HTTPServer(configuration: HTTPServer.Configuration(host: "127.0.0.1", port: 0), responder: recorder)
            try server.start()
        }

        func stop() {
            server.stop()
            upstream.stop()
        }
    }

    @Test func aRecordedFileAnswersEveryRecordedRequestAsTheUpstreamDid() throws {
        let recording = try Recording()
        defer { recording.stop() }
        let client = try TestHTTPClient(port: recording.server.port)
        let requests: [(method: String, target: String, body: String?)] = [
            ("GET", "/v1/items/12345", nil),
            ("GET", "/v1/items/777?scenario=item_not_found", nil),
            ("GET", "/v1/items/778?scenario=throttled", nil),
            ("POST", "/v1/items", #"{"name":"Gadget","api_key":"k_live_1"}"#),
        ]
        var upstreamAnswers: [TestResponse] = []
        for request in requests {
            let headers = [("Authorization", "Bearer sk_live_secret"), ("Content-Type", "application/json")]
            let proxied = try client.request(request.method, request.target, headers: headers, body: request.body)
            let direct = try TestTLSClient(port: recording.upstream.tlsPort!, trusting: recording.certificate.certificate).request(request.method, request.target, headers: headers, body: request.body)
            #expect(proxied.status == direct.status)
            #expect(proxied.text == direct.text)
            #expect(proxied.headers["Retry-After"] == direct.headers["Retry-After"])
            upstreamAnswers.append(proxied)
        }
        #expect(try client.request("GET", "/__faultline/record").text.contains(#""exchanges":4"#))

        let stop = try client.request("POST", "/__faultline/record/stop")
        #expect(stop.status == 200)
        #expect(stop.text.contains(#""endpoints":["GET /v1/items/{item_id}","POST /v1/items"]"#), "\(stop.text)")
        #expect(stop.text.contains(#""problems":[]"#))
        let written = TemporaryDirectory.text(of: recording.recorder.path)
        #expect(!written.contains("sk_live_secret") && !written.contains("s3cr3t") && !written.contains("k_live_1"))
        #expect(written.contains(#""X-RateLimit-Limit": "100""#))

        // Served: each recorded request (by its scenario name where it had one) answers as before.
        let replay = try TestServer.start(scenarios: recording.directory.path + "/out", options: .init(singleVendor: "acme"))
        defer { replay.stop() }
        let replayClient = try replay.client()
        let success = try replayClient.request("GET", "/v1/items/12345")
        #expect(success.status == 200 && success.text == upstreamAnswers[0].text)
        #expect(success.headers["X-RateLimit-Limit"] == "100")
        let missing = try replayClient.request("GET", "/v1/items/777?scenario=item_not_found")
        #expect(missing.status == 404 && missing.text == upstreamAnswers[1].text)
        let throttled = try replayClient.request("GET", "/v1/items/778?scenario=4290")
        #expect(throttled.status == 429 && throttled.text == upstreamAnswers[2].text)
        #expect(throttled.headers["Retry-After"] == "7")
        let created = try replayClient.request("POST", "/v1/items", headers: [("Content-Type", "application/json")], body: "{}")
        #expect(created.status == 201)
        #expect(created.text == #"{"id":"i_1","name":"Gadget","session_token":"REDACTED"}"#)

        // Without naming a scenario: each recorded request is an example and gets its own answer
        // (the 404 was asked for with ?scenario=, which examples leave out); others fall through.
        let auth = [("Authorization", "Bearer other")]
        #expect(try replayClient.request("GET", "/v1/items/777", headers: auth).text == upstreamAnswers[1].text)
        let throttledAgain = try replayClient.request("GET", "/v1/items/778", headers: auth)
        #expect(throttledAgain.status == 429 && throttledAgain.headers["Retry-After"] == "7")
        #expect(try replayClient.request("GET", "/v1/items/777").status == 200, "no credential: not the recorded request")
        #expect(try replayClient.request("GET", "/v1/items/777?page=2", headers: auth).status == 200, "another query: not the recorded request")
        #expect(written.contains(#""absent": ["#) == false && written.contains(#""present": ["#))
    }

    @Test func anOversizedUpstreamAnswerIs502AndNotRecorded() throws {
        let recording = try Recording()
        defer { recording.stop() }
        var small = recording.recorder.upstream
        small.bodyLimit = 10
        let recorder = Recorder(upstream: small, vendor: "acme", directory: recording.recorder.directory)
        let server = HTTPServer(configuration: HTTPServer.Configuration(host: "127.0.0.1", port: 0), responder: recorder)
        try server.start()
        defer { server.stop() }
        let refused = try TestHTTPClient(port: server.port).request("GET", "/v1/items/1")
        #expect(refused.status == 502 && refused.headers["Faultline-Error"] == "upstream-body-too-large")
        #expect(recorder.recorded.isEmpty)
    }

    @Test func aSecondRecordingIntoTheSameDirectoryMerges() throws {
        let recording = try Recording()
        defer { recording.stop() }
        let client = try TestHTTPClient(port: recording.server.port)
        _ = try client.request("GET", "/v1/items/1")
        _ = try recording.recorder.write()
        let second = Recorder(upstream: recording.recorder.upstream, vendor: "acme", directory: recording.recorder.directory)
        let server = HTTPServer(configuration: HTTPServer.Configuration(host: "127.0.0.1", port: 0), responder: second)
        try server.start()
        defer { server.stop() }
        _ = try TestHTTPClient(port: server.port).request("POST", "/v1/items", headers: [("Content-Type", "application/json")], body: #"{"name":"B"}"#)
        _ = try TestHTTPClient(port: server.port).request("GET", "/v1/items/2?scenario=item_not_found")
        let outcome = try second.write()
        #expect(outcome.problems.isEmpty)
        #expect(outcome.summary.endpoints == ["POST /v1/items"])
        #expect(outcome.summary.scenarios == ["get-v1-items-item_id: item_not_found (404)"])
        let written = TemporaryDirectory.text(of: second.path)
        #expect(written.contains(#""id": "get-v1-items-item_id""#) && written.contains(#""id": "post-v1-items""#))
    }
}
