#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import FaultlineHTTP
import Synchronization

/// `faultline record`'s responder: every request goes to the upstream unchanged and the
/// upstream's answer comes back unchanged, while the exchange is kept for the file written at
/// the end. `POST /__faultline/record/stop` writes the file and ends the recording;
/// `GET /__faultline/record` says what has been kept so far.
public final class Recorder: HTTPResponder {
    public static let controlPath = "/__faultline/record"

    public let upstream: Upstream
    public let vendor: String
    /// The file written: `directory/vendor.json`.
    public let directory: String
    private let exchanges = Mutex<[RecordedExchange]>([])
    private let written = Mutex<Outcome?>(nil)
    private let log: @Sendable (String) -> Void
    private let stopRequested: @Sendable () -> Void

    /// `stopRequested` is called after `POST /__faultline/record/stop` has written the file.
    public init(upstream: Upstream, vendor: String, directory: String, log: @escaping @Sendable (String) -> Void = { _ in }, stopRequested: @escaping @Sendable () -> Void = {}) {
        self.upstream = upstream
        self.vendor = vendor
        self.directory = directory
        self.log = log
        self.stopRequested = stopRequested
    }

    public var path: String { directory + "/" + vendor + ".json" }

    public var recorded: [RecordedExchange] { exchanges.withLock { $0 } }

    /// What the last `write()` did, if one has run.
    public var lastOutcome: Outcome? { written.withLock { $0 } }

    public func respond(to request: HTTPRequest, notes: inout ResponseNotes) -> HTTPResponse {
        if request.path == Self.controlPath || request.path.hasPrefix(Self.controlPath + "/") {
            return control(request, notes: &notes)
        }
        let target = PassThrough.originForm(path: request.path, query: request.query)
        return PendingAnswer.response { complete in
            let started = PassThrough.startExchange {
                let (response, label) = PassThrough.exchange(request, target: target, with: self.upstream, log: self.log, label: "recorded") { answer in
                    self.keep(request, answer)
                }
                complete(response, ResponseNotes(label: label))
            }
            if !started { complete(PassThrough.busy(self.upstream), ResponseNotes(label: "faultline:upstream-busy")) }
        }
    }

    /// Bodies the recorder keeps in memory at most; past it, exchanges still pass but are not
    /// recorded (and the log says so once).
    public static let maxRecordedBytes = 256 * 1024 * 1024
    private let kept = Mutex<(bytes: Int, full: Bool)>((0, false))

    private func keep(_ request: HTTPRequest, _ answer: HTTPClientResponse) {
        var headers = answer.headers
        var body = answer.body
        if let codings = headers["Content-Encoding"], !body.isEmpty, case .success(let decoded) = RequestDecoding.decode(body, codings: codings, limit: upstream.bodyLimit) {
            body = decoded
            headers.remove(name: "Content-Encoding")
        }
        // What is kept, counted as kept: decoded bodies, and every field.
        let fields = (request.headers.map { $0.name.utf8.count + $0.value.utf8.count } + headers.map { $0.name.utf8.count + $0.value.utf8.count }).reduce(0, +)
        let size = request.body.count + body.count + request.target.utf8.count + fields
        let (room, first) = kept.withLock { kept -> (Bool, Bool) in
            guard kept.bytes + size <= Self.maxRecordedBytes else {
                defer { kept.full = true }
                return (false, !kept.full)
            }
            kept.bytes += size
            return (true, false)
        }
        guard room else {
            if first { log("faultline record: \(Self.maxRecordedBytes) bytes recorded; later exchanges pass through but are not recorded") }
            return
        }
        let exchange = RecordedExchange(method: request.method, target: PassThrough.originForm(path: request.path, query: request.query), requestHeaders: request.headers, requestBody: request.body, status: answer.status, responseHeaders: headers, responseBody: body)
        exchanges.withLock { $0.append(exchange) }
    }

    /// What `write()` did, and whether the file it wrote loads.
    public struct Outcome: Sendable {
        public var summary: RecordingSynthesis.Summary
        /// `faultline validate`'s complaints about the file; empty when it loads.
        public var problems: [String]
        /// Where it was written: `path`, or beside it with `.rejected` added when it does not
        /// load (a file that loaded before is never replaced by one that does not).
        public var file: String
    }

    /// Writes (or merges into) `directory/vendor.json` what was recorded so far. A file there
    /// that cannot be read, or is not JSON, is never overwritten.
    public func write() throws -> Outcome {
        try FileSystem.makeDirectory(directory)
        var existing: JSONValue?
        do {
            let bytes = try FileSystem.readFile(path, limit: ScenarioLoader.maxFileSize)
            do {
                existing = try JSONParser.parse(bytes)
            } catch {
                throw RecordingError(description: "\(path) exists and is not JSON (\(error.message) at line \(error.line)); not overwritten")
            }
        } catch let error as FileSystem.Error where error.call == "open" && error.errno == ENOENT {
            existing = nil
        } catch let error as RecordingError {
            throw error
        } catch {
            throw RecordingError(description: "\(error); not overwritten")
        }
        let (file, summary) = RecordingSynthesis.vendorFile(vendor: vendor, upstream: upstream.description, exchanges: recorded, existing: existing)
        let text = file.prettyPrinted
        var problems: [String] = []
        if case .failure(let diagnostics) = ScenarioLoader.parse(Array(text.utf8), file: path) {
            problems = diagnostics.diagnostics.map { "\($0)" }
        }
        let target = problems.isEmpty ? path : path + ".rejected"
        try FileSystem.writeFile(target, text)
        let outcome = Outcome(summary: summary, problems: problems, file: target)
        written.withLock { $0 = outcome }
        return outcome
    }

    private func control(_ request: HTTPRequest, notes: inout ResponseNotes) -> HTTPResponse {
        notes.label = "record-control"
        switch (request.method, request.path) {
        case ("GET", Self.controlPath):
            let kept = recorded
            return Self.json(200, .object([
                JSONMember(key: "upstream", value: .string(upstream.description)),
                JSONMember(key: "vendor", value: .string(vendor)),
                JSONMember(key: "file", value: .string(path)),
                JSONMember(key: "exchanges", value: .number(String(kept.count))),
            ]))
        case ("POST", Self.controlPath + "/stop"):
            do {
                let outcome = try write()
                defer { stopRequested() }
                return Self.json(outcome.problems.isEmpty ? 200 : 500, Self.report(outcome, file: outcome.file))
            } catch {
                return FaultlineResponses.error(status: 500, code: "record-write-failed", message: "\(error)").response
            }
        default:
            return FaultlineResponses.error(status: 404, code: "no-record-endpoint", message: "While recording, \(Self.controlPath) answers GET (what was kept) and \(Self.controlPath)/stop answers POST (write the file and stop).").response
        }
    }

    public static func report(_ outcome: Outcome, file: String) -> JSONValue {
        .object([
            JSONMember(key: "file", value: .string(file)),
            JSONMember(key: "exchanges", value: .number(String(outcome.summary.exchanges))),
            JSONMember(key: "endpoints", value: .array(outcome.summary.endpoints.map { .string($0) })),
            JSONMember(key: "scenarios", value: .array(outcome.summary.scenarios.map { .string($0) })),
            JSONMember(key: "skipped", value: .array(outcome.summary.skipped.map { .string($0) })),
            JSONMember(key: "problems", value: .array(outcome.problems.map { .string($0) })),
        ])
    }

    private static func json(_ status: Int, _ value: JSONValue) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: value.serialized)
    }
}

public struct RecordingError: Error, CustomStringConvertible, Sendable {
    public let description: String
}
